/**
 * `queuectl status --watch`: the status screen redrawn in place until Ctrl+C. On a terminal it
 * uses the alternate screen and overwrites each line (no clear, so no flicker); when stdout is
 * not a terminal it prints one plain line per change instead (one JSON document with `--json`).
 *
 * @module
 */
import { type Job, JOB_STATES, type JobState } from "../job.ts";
import { countJobs, listJobs } from "../store/query.ts";
import type { Store } from "../store/open.ts";
import { listWorkers, type WorkerRecord } from "../store/workers.ts";
import { runningJobs } from "../worker_record.ts";
import { listQueues, type QueueStatus } from "../store/queue_read.ts";
import { queueJson } from "../json_view.ts";
import type { Context } from "./context.ts";
import { ago, jobJson, table, when, workerJson } from "./format.ts";
import { queueLines, showQueues } from "./queue_lines.ts";

/** What one screen shows, read in one go. */
export interface StatusSnapshot {
  /** When it was read (epoch ms). */
  at: number;
  /** Jobs per state. */
  counts: Record<JobState, number>;
  /** Registered workers. */
  workers: WorkerRecord[];
  /** The oldest running jobs, at most {@linkcode RUNNING_SHOWN}. */
  running: Job[];
  /** Every queue with its settings and counters. */
  queues: QueueStatus[];
}

/** How many running jobs the screen lists. */
export const RUNNING_SHOWN = 10;

/**
 * Reads a snapshot: four reads in parallel, none of which scans the jobs. The counts and the
 * queues' counters are two reads, not one view: a transition between them shows as queues that
 * do not add up to the counts (each transition moves both in one operation), so they are read
 * again, a few times at most (a drifted counter, which `doctor` reports, never agrees).
 */
export async function readSnapshot(store: Store, now: number): Promise<StatusSnapshot> {
  const [workers, running] = await Promise.all([
    listWorkers(store),
    listJobs(store, { state: "processing", limit: RUNNING_SHOWN }),
  ]);
  let counts: Record<JobState, number>;
  let queues: QueueStatus[];
  for (let tries = 0;; tries++) {
    [counts, queues] = await Promise.all([countJobs(store), listQueues(store)]);
    if (tries >= 2 || queuesAddUp(counts, queues)) break;
  }
  return { at: now, counts, workers, running: running.jobs, queues };
}

function queuesAddUp(counts: Record<JobState, number>, queues: readonly QueueStatus[]): boolean {
  return JOB_STATES.every((s) => queues.reduce((n, q) => n + q.counts[s], 0) === counts[s]);
}

/**
 * The screen for a snapshot (pure). `rate` is completions per second since the last screen.
 *
 * @example
 * ```ts
 * import type { Store } from "../store/open.ts";
 * declare const store: Store;
 * const snapshot = await readSnapshot(store, Date.now());
 * renderScreen(snapshot, { rate: 12.5 }).join("\n");
 * ```
 */
export function renderScreen(s: StatusSnapshot, options: { rate: number | null }): string[] {
  const lines = [
    `queuectl status  ${when(s.at)}  ` +
    (options.rate === null ? "" : `${options.rate.toFixed(1)} completed/s  `) +
    "(Ctrl+C to quit)",
    "",
    table(["STATE", "JOBS"], JOB_STATES.map((st) => [st, String(s.counts[st])])),
    "",
  ];
  if (showQueues(s.queues)) {
    lines.push(`queues: ${s.queues.length}`, ...queueLines(s.queues).map((l) => `  ${l}`), "");
  }
  const busy = s.workers.filter((w) => w.state === "busy").length;
  lines.push(`workers: ${s.workers.length} (${busy} busy)`);
  if (s.workers.length > 0) {
    lines.push(table(
      ["ID", "HOST", "STATE", "JOBS", "HEARTBEAT", "DONE"],
      s.workers.map((w) => [
        w.id,
        w.host,
        w.state,
        runningJobs(w).map((r) => r.id).join(",") || "-",
        ago(w.heartbeat_at, s.at),
        String(w.processed),
      ]),
    ));
  }
  lines.push("", `running: ${s.counts.processing}`);
  if (s.running.length > 0) {
    lines.push(table(
      ["ID", "WORKER", "TRY", "FOR", "COMMAND"],
      s.running.map((j) => [
        j.id,
        j.worker ?? "-",
        `${j.attempts}/${j.max_retries + 1}`,
        elapsed(j.started_at, s.at),
        j.command,
      ]),
    ));
    const more = s.counts.processing - s.running.length;
    if (more > 0) lines.push(`… and ${more} more`);
  }
  return lines.join("\n").split("\n");
}

/**
 * One plain line for a snapshot, for logs and pipes (pure).
 *
 * @example
 * ```ts
 * import type { Store } from "../store/open.ts";
 * declare const store: Store;
 * const snapshot = await readSnapshot(store, Date.now());
 * plainLine(snapshot); // "2026-11-23T10:43:17Z held=0 blocked=0 scheduled=0 pending=3 … workers=2 busy=1"
 * ```
 */
export function plainLine(s: StatusSnapshot): string {
  const busy = s.workers.filter((w) => w.state === "busy").length;
  return `${when(s.at)} ${JOB_STATES.map((st) => `${st}=${s.counts[st]}`).join(" ")} ` +
    `workers=${s.workers.length} busy=${busy}`;
}

/**
 * Redraws until `signal` aborts. Returns after restoring the terminal.
 *
 * @example
 * ```ts
 * import type { Store } from "../store/open.ts";
 * import type { Context } from "./context.ts";
 * declare const ctx: Context;
 * declare const store: Store;
 * const { signal } = new AbortController();
 * await watchStatus(ctx, store, { intervalMs: 1000, signal });
 * ```
 */
export async function watchStatus(
  ctx: Context,
  store: Store,
  options: { intervalMs: number; signal: AbortSignal; json?: boolean },
): Promise<void> {
  const tty = ctx.isTty && !options.json;
  const enc = new TextEncoder();
  const raw = (text: string) => ctx.out(enc.encode(text));
  if (tty) raw("\x1b[?1049h\x1b[?25l"); // Alternate screen, cursor hidden.
  let last: StatusSnapshot | null = null;
  let lastPlain = "";
  try {
    while (!options.signal.aborted) {
      const s = await readSnapshot(store, Date.now());
      if (tty) {
        const rate = last ? rateBetween(last, s) : null;
        // Home, then each line overwritten and cleared to its end, then clear below: the old
        // screen is never blanked first, so nothing flickers.
        const { columns, rows } = consoleSize();
        // Cut to the window: a wrapped or overlong screen would scroll instead of redrawing.
        const lines = renderScreen(s, { rate }).slice(0, rows - 1)
          .map((l) => `${[...l].slice(0, columns).join("")}\x1b[K`);
        raw(`\x1b[H${lines.join("\n")}\x1b[J`);
      } else {
        const line = options.json ? snapshotJson(s) : plainLine(s);
        // The time changes every tick; print only when something else did.
        const key = options.json ? line.replace(/"at":"[^"]*"/, "") : line.slice(line.indexOf(" "));
        if (key !== lastPlain) ctx.out(line);
        lastPlain = key;
      }
      last = s;
      await sleep(options.intervalMs, options.signal);
    }
  } finally {
    if (tty) raw("\x1b[?25h\x1b[?1049l");
  }
}

/** A snapshot as one JSON document, like `status --json` plus the time and running jobs. */
export function snapshotJson(s: StatusSnapshot): string {
  return JSON.stringify({
    at: new Date(s.at).toISOString(),
    counts: s.counts,
    workers: s.workers.map(workerJson),
    running: s.running.map(jobJson),
    queues: s.queues.map(queueJson),
  });
}

function consoleSize(): { columns: number; rows: number } {
  // A terminal that reports no size (0 × 0) gets a common one rather than an empty screen.
  try {
    const { columns, rows } = Deno.consoleSize();
    return { columns: columns || 120, rows: rows || 40 };
  } catch {
    return { columns: 120, rows: 40 };
  }
}

function rateBetween(a: StatusSnapshot, b: StatusSnapshot): number {
  const dt = (b.at - a.at) / 1000;
  return dt > 0 ? Math.max(0, b.counts.completed - a.counts.completed) / dt : 0;
}

function elapsed(from: number | null, now: number): string {
  if (from === null) return "-";
  const s = Math.max(0, Math.round((now - from) / 1000));
  return s < 60
    ? `${s}s`
    : s < 3600
    ? `${Math.floor(s / 60)}m${s % 60}s`
    : `${Math.floor(s / 3600)}h`;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal.removeEventListener("abort", done);
      resolve();
    }
    signal.addEventListener("abort", done, { once: true });
  });
}
