/**
 * Metrics: what the time-bucketed counters mean, the histogram buckets, and the pure summaries
 * (`metrics`, the dashboard and `/metrics` read them). The store writes the counters in the same
 * atomic operation as each transition (`store/metric_sink.ts`); nothing here does I/O.
 *
 * @module
 */
import type { Job } from "./job.ts";

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

/** One minute of counters. */
export interface MinuteCounts extends Record<Counter, number> {
  /** Start of the minute (epoch ms). */
  minute: number;
}

/** All-time totals: every counter, and both histograms. */
export interface MetricsTotals {
  /** Events since the database was created. */
  counters: Record<Counter, number>;
  /** Attempt run times. */
  run: Histogram;
  /** Wait from due (`run_at`) to start. */
  wait: Histogram;
}

/** Raw minute-bucket data as the store reads it, before it is summarized. */
export interface MinuteData {
  /** Start of the minute. */
  minute: number;
  /** Counters of that minute. */
  counters: Partial<Record<Counter, number>>;
  /** Run-time bucket counts of that minute. */
  run: Map<number, number>;
  /** Longest run that ended in that minute, ms. */
  run_max: number;
  /** Wait bucket counts of that minute. */
  wait: Map<number, number>;
  /** Per-worker finished attempts in that minute. */
  workers: Map<string, { completed: number; failed: number }>;
}

/** The last-hour report `metrics` prints. */
export interface MetricsReport {
  /** When it was computed (epoch ms). */
  now: number;
  /** Minutes covered. */
  window_minutes: number;
  /** One entry per minute, oldest first, the current (partial) minute last. */
  per_minute: MinuteCounts[];
  /** Totals of the counters over the window. */
  window: Record<Counter, number>;
  /** Completed ÷ (completed + dead) over the window, or null when none ended. */
  success_rate: number | null;
  /** Attempt run time over the window, ms. */
  run_ms: { count: number; p50: number | null; p95: number | null; max: number | null };
  /** Wait from due to start over the window, ms. */
  wait_ms: { count: number; p50: number | null; p95: number | null };
  /** Jobs in the DLQ now. */
  dlq: number;
  /** Finished attempts per worker over the window, busiest first. */
  workers: { worker: string; completed: number; failed: number }[];
}

/** The start of the minute that holds `ms` (pure). */
export function minuteOf(ms: number): number {
  return Math.floor(ms / MINUTE_MS) * MINUTE_MS;
}

/**
 * Summarizes minute buckets into the last-hour report (pure).
 *
 * @example
 * ```ts
 * declare const minutes: MinuteData[]; // the last hour's buckets
 * declare const counts: { dead: number };
 * const report = summarize(minutes, { now: Date.now(), dlq: counts.dead });
 * ```
 */
export function summarize(
  minutes: readonly MinuteData[],
  options: { now: number; dlq: number },
): MetricsReport {
  const last = minuteOf(options.now);
  const first = last - (WINDOW_MINUTES - 1) * MINUTE_MS;
  const byMinute = new Map(minutes.map((m) => [m.minute, m]));
  const window = zeroCounters();
  const run = Array(BUCKET_BOUNDS_MS.length + 1).fill(0);
  const wait = Array(BUCKET_BOUNDS_MS.length + 1).fill(0);
  let runMax: number | null = null;
  const workers = new Map<string, { completed: number; failed: number }>();
  const perMinute: MinuteCounts[] = [];
  for (let minute = first; minute <= last; minute += MINUTE_MS) {
    const data = byMinute.get(minute);
    const row: MinuteCounts = { minute, ...zeroCounters() };
    if (data) {
      for (const c of COUNTERS) row[c] = data.counters[c] ?? 0;
      for (const [i, n] of data.run) run[i] += n;
      for (const [i, n] of data.wait) wait[i] += n;
      if (data.run.size > 0) runMax = Math.max(runMax ?? 0, data.run_max);
      for (const [id, w] of data.workers) {
        const acc = workers.get(id) ?? { completed: 0, failed: 0 };
        acc.completed += w.completed;
        acc.failed += w.failed;
        workers.set(id, acc);
      }
    }
    for (const c of COUNTERS) window[c] += row[c];
    perMinute.push(row);
  }
  const ended = window.completed + window.dead;
  const count = (h: number[]) => h.reduce((a, b) => a + b, 0);
  return {
    now: options.now,
    window_minutes: WINDOW_MINUTES,
    per_minute: perMinute,
    window,
    success_rate: ended === 0 ? null : window.completed / ended,
    run_ms: {
      count: count(run),
      p50: atMost(quantile(run, 0.5), runMax),
      p95: atMost(quantile(run, 0.95), runMax),
      max: runMax,
    },
    wait_ms: { count: count(wait), p50: quantile(wait, 0.5), p95: quantile(wait, 0.95) },
    dlq: options.dlq,
    workers: [...workers]
      .map(([worker, w]) => ({ worker, ...w }))
      .sort((a, b) =>
        b.completed + b.failed - (a.completed + a.failed) || (a.worker < b.worker ? -1 : 1)
      ),
  };
}

/** Interpolation inside the top bucket must not report more than the exact maximum. */
function atMost(value: number | null, max: number | null): number | null {
  return value === null || max === null ? value : Math.min(value, max);
}

/** Every counter at zero. */
export function zeroCounters(): Record<Counter, number> {
  return Object.fromEntries(COUNTERS.map((c) => [c, 0])) as Record<Counter, number>;
}
