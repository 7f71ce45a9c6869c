/**
 * The last-hour report `metrics` prints, summarized (pure) from the minute buckets the store
 * reads: throughput, success rate, percentiles, per-worker and per-queue figures.
 *
 * @module
 */
import {
  BUCKET_BOUNDS_MS,
  type Counter,
  COUNTERS,
  MINUTE_MS,
  minuteOf,
  quantile,
  WINDOW_MINUTES,
  zeroCounters,
} from "./metrics.ts";
import {
  addFigures,
  type QueueFigures,
  type QueueMetrics,
  type QueueMinute,
  queueMinute,
  type QueueNow,
  queueRows,
  zeroFigures,
} from "./queue_metrics.ts";

/** One minute of counters. */
export interface MinuteCounts extends Record<Counter, number> {
  /** Start of the minute (epoch ms). */
  minute: number;
  /** Mean wait from due to start of the jobs started in that minute, ms; null: none started. */
  wait_avg_ms: number | null;
  /** Most jobs pending in that minute as sampled (the current minute: now); null: no sample. */
  depth: number | null;
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
  /** Sum of the run times that ended in that minute, ms (absent: 0). */
  run_sum?: number;
  /** Each named queue's figures of that minute (absent: none). */
  queues?: Map<string, QueueFigures>;
  /** Sum of the waits of jobs started in that minute, ms (absent: 0). */
  wait_sum?: number;
  /** The minute's sampled queue depth (absent: not sampled). */
  depth?: number;
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
  /** Each queue over the window and now: `default` first, then by name. */
  queues: QueueMetrics[];
  /** The queue asked for by `series`, minute by minute (only when asked). */
  queue_minutes?: QueueMinute[];
}

/** Options of {@linkcode summarize}. */
export interface SummarizeOptions {
  /** The clock reading the window ends at. */
  now: number;
  /** Jobs in the DLQ now. */
  dlq: number;
  /** Each queue's jobs now, from its counters (default: none known). */
  queues?: ReadonlyMap<string, QueueNow>;
  /** A queue whose figures to report minute by minute, as `queue_minutes`. */
  series?: string;
  /** Jobs pending now: the current minute's depth (default: its sample, if any). */
  depth?: number;
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
  options: SummarizeOptions,
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
  const named = new Map<string, QueueFigures>();
  const series: QueueMinute[] = [];
  let runSum = 0;
  for (let minute = first; minute <= last; minute += MINUTE_MS) {
    const data = byMinute.get(minute);
    const row: MinuteCounts = { minute, ...zeroCounters(), wait_avg_ms: null, depth: null };
    if (data) {
      const started = [...data.wait.values()].reduce((a, b) => a + b, 0);
      if (started > 0) row.wait_avg_ms = Math.round((data.wait_sum ?? 0) / started);
      row.depth = data.depth ?? null;
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
      runSum += data.run_sum ?? 0;
      for (const [q, f] of data.queues ?? []) {
        named.set(q, addFigures(named.get(q) ?? zeroFigures(), f));
      }
    }
    if (minute === last && options.depth !== undefined) row.depth = options.depth;
    for (const c of COUNTERS) window[c] += row[c];
    perMinute.push(row);
    if (options.series !== undefined) series.push(queueMinute(row, data?.queues, options.series));
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
    queues: queueRows(named, {
      completed: window.completed,
      retried: window.retried,
      dead: window.dead,
      runs: count(run),
      run_sum: runSum,
    }, options.queues ?? new Map()),
    ...(options.series === undefined ? {} : { queue_minutes: series }),
  };
}

/** Interpolation inside the top bucket must not report more than the exact maximum. */
function atMost(value: number | null, max: number | null): number | null {
  return value === null || max === null ? value : Math.min(value, max);
}
