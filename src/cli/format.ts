/**
 * Turning records into what people and scripts read: JSON with ISO times, and aligned tables.
 *
 * @module
 */
import type { Attempt, Job } from "../job.ts";
import type { WorkerRecord } from "../store/mod.ts";

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

/** A job as the `--json` contract prints it: snake_case fields, ISO 8601 times. */
export interface JobJson {
  [field: string]: unknown;
}

/**
 * A job in the JSON form of the CLI contract (pure).
 *
 * @example
 * ```ts
 * jobJson(job).created_at; // "2026-11-23T10:00:00.000Z"
 * ```
 */
export function jobJson(job: Job): JobJson {
  return {
    id: job.id,
    command: job.command,
    state: job.state,
    attempts: job.attempts,
    max_retries: job.max_retries,
    priority: job.priority,
    run_at: iso(job.run_at),
    timeout: job.timeout === null ? null : job.timeout / 1000,
    created_at: iso(job.created_at),
    updated_at: iso(job.updated_at),
    started_at: iso(job.started_at),
    finished_at: iso(job.finished_at),
    exit_code: job.exit_code,
    last_error: job.last_error,
    worker: job.worker,
    runs: job.runs,
    cancel_requested: job.cancel_requested,
  };
}

/** An attempt in JSON form, ISO times (pure). */
export function attemptJson(a: Attempt): Record<string, unknown> {
  return { ...a, started_at: iso(a.started_at), finished_at: iso(a.finished_at) };
}

/** A worker in JSON form: `id, pid, host, state, job, heartbeat_at` and more (pure). */
export function workerJson(w: WorkerRecord): Record<string, unknown> {
  return {
    id: w.id,
    pid: w.pid,
    host: w.host,
    state: w.state,
    job: w.job,
    heartbeat_at: iso(w.heartbeat_at),
    started_at: iso(w.started_at),
    processed: w.processed,
    clock_offset_ms: w.clock_offset_ms ?? null,
  };
}

/**
 * Aligned columns with a header row (pure). Cells are cut to `max` characters.
 *
 * @example
 * ```ts
 * table(["ID", "STATE"], [["a1", "pending"]]); // "ID  STATE\na1  pending"
 * ```
 */
export function table(head: string[], rows: string[][], max = 60): string {
  const cut = (s: string) => {
    const flat = s.replace(/[\r\n\t]+/g, " ");
    return flat.length > max ? flat.slice(0, max - 1) + "…" : flat;
  };
  const all = [head, ...rows.map((r) => r.map(cut))];
  const widths = head.map((_, i) => Math.max(...all.map((r) => (r[i] ?? "").length)));
  return all.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join("  "))
    .join("\n");
}

/**
 * "3s ago"-style age of a time relative to `now` (pure).
 *
 * @example
 * ```ts
 * ago(1_000, 4_000); // "3s ago"
 * ```
 */
export function ago(then: number | null, now: number): string {
  if (then === null) return "-";
  const s = Math.round((now - then) / 1000);
  if (s < 0) return `in ${-s}s`;
  if (s < 120) return `${s}s ago`;
  if (s < 7200) return `${Math.round(s / 60)}m ago`;
  if (s < 172800) return `${Math.round(s / 3600)}h ago`;
  return `${Math.round(s / 86400)}d ago`;
}

/** A time as a short local-independent ISO string without milliseconds, or "-" (pure). */
export function when(ms: number | null): string {
  return ms === null ? "-" : new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");
}
