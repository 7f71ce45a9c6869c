/**
 * The JSON form of records that scripts read, from the CLI's `--json` and from the web API alike:
 * snake_case fields and ISO 8601 times. One definition, so the two never drift apart.
 *
 * @module
 */
import type { Attempt, Job } from "./job.ts";
import { runningJobs, type WorkerRecord } from "./worker_record.ts";
import { formatRate, queueOf, type QueueSettings } from "./queue.ts";
import type { JobState } from "./job.ts";

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
 * import type { Job } from "./job.ts";
 * declare const job: Job; // created at 10:00 UTC on 2026-11-23
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
    queue: queueOf(job),
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
    labels: job.labels ?? {},
    // Records from before #15 have neither field.
    cwd: job.cwd ?? null,
    env_id: job.env ?? null,
    // Only on jobs enqueued with --after: a plain job's JSON stays as it was.
    ...(job.after ? { after: job.after } : {}),
    ...(job.blocked_on ? { blocked_on: job.blocked_on } : {}),
    // Only on jobs enqueued with --unique-key (and dropped when one is requeued).
    ...(job.unique_key === undefined
      ? {}
      : { unique_key: job.unique_key, unique_until: iso(job.unique_until ?? null) }),
  };
}

/** An attempt in JSON form, ISO times (pure). */
export function attemptJson(a: Attempt): Record<string, unknown> {
  return { ...a, started_at: iso(a.started_at), finished_at: iso(a.finished_at) };
}

/**
 * A worker in JSON form: `id, pid, host, state, job` (its first job), `jobs` (all of them),
 * `slots`, `heartbeat_at` and more (pure).
 */
export function workerJson(w: WorkerRecord): Record<string, unknown> {
  return {
    id: w.id,
    pid: w.pid,
    host: w.host,
    state: w.state,
    job: w.job,
    jobs: runningJobs(w).map((r) => r.id),
    slots: w.slots ?? 1,
    heartbeat_at: iso(w.heartbeat_at),
    started_at: iso(w.started_at),
    processed: w.processed,
    clock_offset_ms: w.clock_offset_ms ?? null,
  };
}

/**
 * A queue in JSON form, as `queue list --json` and `GET /api/queues` print it (pure):
 * `{name, paused, concurrency, rate, running, counts}`, `rate` as `--rate` reads it (`"10/1m"`)
 * or null, `running` its processing count, `counts` its jobs per state.
 *
 * @example
 * ```ts
 * import type { QueueSettings } from "./queue.ts";
 * import type { JobState } from "./job.ts";
 * declare const settings: QueueSettings;
 * declare const counts: Record<JobState, number>;
 * queueJson({ settings, counts }).running; // counts.processing
 * ```
 */
export function queueJson(
  queue: { settings: QueueSettings; counts: Record<JobState, number> },
): Record<string, unknown> {
  const { settings, counts } = queue;
  return {
    name: settings.name,
    paused: settings.paused,
    concurrency: settings.concurrency,
    rate: settings.rate === null ? null : formatRate(settings.rate),
    running: counts.processing,
    counts,
  };
}
