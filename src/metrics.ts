/**
 * Metrics: what the time-bucketed counters mean, the histogram buckets, and what a transition
 * counts (the summaries `metrics` prints are in `metrics_report.ts`). The store writes the counters in the same
 * atomic operation as each transition (`store/metric_sink.ts`); nothing here does I/O.
 *
 * @module
 */
import type { Job } from "./job.ts";
import { DEFAULT_QUEUE } from "./queue.ts";
import type { QueueFigures } from "./queue_metrics.ts";

/** One minute in ms: the width of a time bucket. */
export const MINUTE_MS = 60_000;

/** How many minutes the report covers. */
export const WINDOW_MINUTES = 60;

/** Minute buckets older than this are swept by the workers. */
export const KEEP_MINUTES = 120;

/**
 * Events counted per minute and in total. Each is a transition seen by `applyTransition`:
 *
 * - `enqueued`: a job was created.
 * - `started`: an attempt started (a claim).
 * - `completed`: an attempt succeeded.
 * - `retried`: an attempt failed and a retry was scheduled.
 * - `dead`: a job entered the DLQ (its last attempt failed, or it was lost for the last time).
 * - `canceled`: a job was canceled, waiting or running.
 * - `interrupted`: a running attempt was put back to pending uncharged (forced stop).
 * - `hook_ok`, `hook_failed`: a finish hook (command or URL) ran and succeeded, or failed after
 *   its tries. Not transitions: the worker that ran the hook counts them (`hook_outbox.ts`).
 */
export type Counter =
  | "enqueued"
  | "started"
  | "completed"
  | "retried"
  | "dead"
  | "canceled"
  | "interrupted"
  | "hook_ok"
  | "hook_failed";

/** Every counter, in report order. */
export const COUNTERS: readonly Counter[] = [
  "enqueued",
  "started",
  "completed",
  "retried",
  "dead",
  "canceled",
  "interrupted",
  "hook_ok",
  "hook_failed",
];

/** The two measured durations: an attempt's run time and the wait from due to start. */
export type Timing = "run" | "wait";

/**
 * Upper bounds of the histogram buckets, in ms: powers of √2 from 1 ms to about 1.5 days, so a
 * percentile read from them is within about 20% of the true value. Index `BUCKET_BOUNDS_MS.length`
 * is the overflow bucket.
 */
export const BUCKET_BOUNDS_MS: readonly number[] = Array.from(
  { length: 55 },
  (_, i) => Math.round(2 ** (i / 2) * 1000) / 1000,
);

/**
 * The bucket a duration falls in: the first whose bound is ≥ `ms` (pure).
 *
 * @example
 * ```ts
 * BUCKET_BOUNDS_MS[bucketOf(3)]; // 4
 * ```
 */
export function bucketOf(ms: number): number {
  if (!(ms > 1)) return 0;
  const i = Math.ceil(2 * Math.log2(ms) - 1e-9);
  return Math.min(i, BUCKET_BOUNDS_MS.length);
}

/** The counter changes and timing samples one transition makes. */
export interface TransitionEvents {
  /** Counters to add one to. */
  counters: Counter[];
  /** Timing samples, in ms. A negative `delta` undoes an earlier sample (a released claim). */
  samples: { timing: Timing; ms: number; delta: 1 | -1; at: number }[];
  /** The worker whose attempt succeeded or failed (not canceled or interrupted), and which. */
  worker: { id: string; ok: boolean } | null;
  /** When the transition happened (its minute bucket). */
  at: number;
  /** The job's queue when it is a named one; absent for `default` (see `queue_metrics.ts`). */
  queue?: string;
}

/**
 * What a transition from `before` to `after` counts (pure). `after.updated_at` is the moment of
 * the transition, so the bucket needs no clock.
 *
 * @example
 * ```ts
 * import type { Job } from "./job.ts";
 * declare const job: Job; // just enqueued
 * transitionEvents(null, job)?.counters; // ["enqueued"]
 * ```
 */
export function transitionEvents(before: Job | null, after: Job | null): TransitionEvents | null {
  if (!after || before?.state === after.state) return null;
  const at = after.updated_at;
  const out: TransitionEvents = { counters: [], samples: [], worker: null, at };
  if (after.queue !== undefined && after.queue !== DEFAULT_QUEUE) out.queue = after.queue;
  if (!before) out.counters.push("enqueued");
  if (after.state === "processing") {
    out.counters.push("started");
    const due = before?.run_at ?? after.created_at;
    out.samples.push({ timing: "wait", ms: Math.max(0, at - due), delta: 1, at });
  }
  if (before?.state === "processing") {
    if (after.finished_at === null) {
      // A claim released before it started: undo its start, in the minute it was counted.
      const started = before.started_at ?? at;
      out.samples.push({
        timing: "wait",
        ms: Math.max(0, started - before.run_at),
        delta: -1,
        at: started,
      });
      return out;
    }
    const ran = Math.max(0, after.finished_at - (before.started_at ?? after.finished_at));
    out.samples.push({ timing: "run", ms: ran, delta: 1, at });
    if (after.state === "failed") out.counters.push("retried");
    if (after.state === "pending") out.counters.push("interrupted");
    const ok = after.state === "completed";
    if (before.worker && (ok || after.state === "failed" || after.state === "dead")) {
      out.worker = { id: before.worker, ok };
    }
  }
  if (after.state === "completed") out.counters.push("completed");
  if (after.state === "dead") out.counters.push("dead");
  if (after.state === "canceled") out.counters.push("canceled");
  return out;
}

/** A histogram: counts per bucket of {@linkcode BUCKET_BOUNDS_MS} (not cumulative), and the sum. */
export interface Histogram {
  /** Upper bounds in ms; the last count is the overflow bucket. */
  bounds_ms: readonly number[];
  /** Samples per bucket, `bounds_ms.length + 1` of them. */
  counts: number[];
  /** Sum of all samples in ms. */
  sum_ms: number;
}

/** An empty histogram. */
export function emptyHistogram(): Histogram {
  return {
    bounds_ms: BUCKET_BOUNDS_MS,
    counts: Array(BUCKET_BOUNDS_MS.length + 1).fill(0),
    sum_ms: 0,
  };
}

/**
 * The `q`-quantile (0..1) of a histogram, interpolated inside its bucket, or null when empty
 * (pure).
 *
 * @example
 * ```ts
 * declare const histogram: readonly number[]; // counts per BUCKET_BOUNDS_MS bucket
 * quantile(histogram, 0.95);
 * ```
 */
export function quantile(counts: readonly number[], q: number): number | null {
  const total = counts.reduce((a, b) => a + b, 0);
  if (total === 0) return null;
  const rank = q * total;
  let seen = 0;
  for (let i = 0; i < counts.length; i++) {
    const n = counts[i] ?? 0;
    if (n > 0 && seen + n >= rank) {
      const lo = i === 0 ? 0 : BUCKET_BOUNDS_MS[i - 1]!;
      const hi = BUCKET_BOUNDS_MS[i] ?? lo;
      return lo + (hi - lo) * Math.min(1, Math.max(0, (rank - seen) / n));
    }
    seen += n;
  }
  return BUCKET_BOUNDS_MS[BUCKET_BOUNDS_MS.length - 1]!;
}

/** All-time totals: every counter, and both histograms. */
export interface MetricsTotals {
  /** Events since the database was created. */
  counters: Record<Counter, number>;
  /** Attempt run times. */
  run: Histogram;
  /** Wait from due (`run_at`) to start. */
  wait: Histogram;
  /** Each named queue's figures (the default queue's are the rest: `withDefaultQueue`). */
  queues: Map<string, QueueFigures>;
}

/** The start of the minute that holds `ms` (pure). */
export function minuteOf(ms: number): number {
  return Math.floor(ms / MINUTE_MS) * MINUTE_MS;
}

/** Every counter at zero. */
export function zeroCounters(): Record<Counter, number> {
  return Object.fromEntries(COUNTERS.map((c) => [c, 0])) as Record<Counter, number>;
}
