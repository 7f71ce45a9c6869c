/**
 * Per-queue metrics (pure): what a transition counts for its named queue, how a worker's tally
 * bounds the queues it holds, and the per-queue rows `metrics` and `/metrics` show.
 *
 * Only jobs of named queues are counted per queue. The `default` queue's figures are the totals
 * less every named queue's, so a single-queue user's transitions write nothing more than before.
 *
 * @module
 */
import { DEFAULT_QUEUE } from "./queue.ts";

/**
 * What is counted per queue: `completed`, `retried` and `dead` (disjoint outcomes of a finished
 * attempt, as the counters of the same names), `runs` (attempts that ended, any way) and
 * `run_sum` (their run time in ms).
 */
export type QueueFigure = "completed" | "retried" | "dead" | "runs" | "run_sum";

/** Every per-queue figure, in report order. */
export const QUEUE_FIGURES: readonly QueueFigure[] = [
  "completed",
  "retried",
  "dead",
  "runs",
  "run_sum",
];

/** One queue's figures over some span (a minute, a window, all time). */
export type QueueFigures = Record<QueueFigure, number>;

/**
 * The bucket of the queues a worker's tally of one minute could not name: a tally names at
 * most {@linkcode MAX_TALLY_QUEUES} queues and folds the rest here. Not a valid queue name, so
 * it can never be mistaken for one.
 */
export const OTHER_QUEUES = "(other)";

/**
 * Most queues one worker's tally of one minute names (5 figures each), which keeps its value
 * far below KV's 64 KiB: 32 queues of 64-character names are about 13 KB.
 */
export const MAX_TALLY_QUEUES = 32;

/** Figures all at zero. */
export function zeroFigures(): QueueFigures {
  return { completed: 0, retried: 0, dead: 0, runs: 0, run_sum: 0 };
}

/**
 * The per-queue figures one transition adds, or none for a job of the default queue (pure).
 * `events` is what `transitionEvents` returns; its `queue` is set for named queues only.
 *
 * @example
 * ```ts
 * queueFigures({
 *   counters: ["completed"],
 *   samples: [{ timing: "run", ms: 12.4 }],
 *   queue: "build",
 * }); // [["completed", 1], ["runs", 1], ["run_sum", 12]]
 * ```
 */
export function queueFigures(events: {
  counters: readonly string[];
  samples: readonly { timing: string; ms: number }[];
  queue?: string;
}): [QueueFigure, number][] {
  if (events.queue === undefined) return [];
  const out: [QueueFigure, number][] = [];
  for (const c of events.counters) {
    if (c === "completed" || c === "retried" || c === "dead") out.push([c, 1]);
  }
  for (const s of events.samples) {
    if (s.timing === "run") out.push(["runs", 1], ["run_sum", Math.round(s.ms)]);
  }
  return out;
}

/**
 * Adds `b` into `a` and returns `a`.
 *
 * @example
 * ```ts
 * addFigures(zeroFigures(), { ...zeroFigures(), completed: 2 }).completed; // 2
 * ```
 */
export function addFigures(a: QueueFigures, b: Partial<QueueFigures>): QueueFigures {
  for (const f of QUEUE_FIGURES) a[f] += b[f] ?? 0;
  return a;
}

/**
 * Every queue's figures with the default queue's filled in: `total` (all jobs) less the named
 * queues' (pure). Never below zero.
 *
 * @example
 * ```ts
 * const total = { completed: 5, retried: 1, dead: 0, runs: 6, run_sum: 60 };
 * const build = { completed: 2, retried: 0, dead: 0, runs: 2, run_sum: 20 };
 * withDefaultQueue(new Map([["build", build]]), total).get("default")?.completed; // 3
 * ```
 */
export function withDefaultQueue(
  named: ReadonlyMap<string, QueueFigures>,
  total: QueueFigures,
): Map<string, QueueFigures> {
  const rest = { ...total };
  for (const [q, f] of named) {
    if (q === DEFAULT_QUEUE) continue;
    for (const k of QUEUE_FIGURES) rest[k] -= f[k];
  }
  for (const k of QUEUE_FIGURES) rest[k] = Math.max(0, rest[k]);
  return new Map([[DEFAULT_QUEUE, rest], ...[...named].filter(([q]) => q !== DEFAULT_QUEUE)]);
}

/** One queue in the `metrics` report: its figures over the window, and its jobs now. */
export interface QueueMetrics {
  /** The queue's name ({@linkcode OTHER_QUEUES} for the folded rest). */
  queue: string;
  /** Jobs that completed in the window. */
  completed: number;
  /** Failed attempts that were retried in the window. */
  retried: number;
  /** Jobs that went to the DLQ in the window. */
  dead: number;
  /** Completed ÷ (completed + dead) over the window, or null when none ended. */
  success_rate: number | null;
  /** Attempts that ended in the window, and their mean run time in ms (null: none). */
  run_ms: { count: number; mean: number | null };
  /** Its jobs pending now. */
  pending: number;
  /** Its jobs running now. */
  running: number;
  /** Its jobs in the DLQ now. */
  dlq: number;
}

/** A queue's jobs now, as its `["qcount", queue, state]` counters say. */
export interface QueueNow {
  /** Pending jobs. */
  pending: number;
  /** Running jobs. */
  processing: number;
  /** Jobs in the DLQ. */
  dead: number;
}

/**
 * The per-queue rows of a window (pure): `default` first, then by name, the folded rest last.
 * A queue is listed when it has counters or a record (`counts`) or figures in the window.
 *
 * @example
 * ```ts
 * const total = { completed: 5, retried: 1, dead: 0, runs: 6, run_sum: 60 };
 * const rows = queueRows(new Map(), total, new Map());
 * rows[0]?.queue; // "default"
 * ```
 */
export function queueRows(
  named: ReadonlyMap<string, QueueFigures>,
  total: QueueFigures,
  counts: ReadonlyMap<string, QueueNow>,
): QueueMetrics[] {
  const figures = withDefaultQueue(named, total);
  const names = new Set([DEFAULT_QUEUE, ...counts.keys(), ...figures.keys()]);
  return [...names].sort(queueOrder).map((queue) => {
    const f = figures.get(queue) ?? zeroFigures();
    const now = counts.get(queue);
    const ended = f.completed + f.dead;
    return {
      queue,
      completed: f.completed,
      retried: f.retried,
      dead: f.dead,
      success_rate: ended === 0 ? null : f.completed / ended,
      run_ms: { count: f.runs, mean: f.runs === 0 ? null : f.run_sum / f.runs },
      pending: now?.pending ?? 0,
      running: now?.processing ?? 0,
      dlq: now?.dead ?? 0,
    };
  });
}

/** One queue's outcomes of one minute. */
export interface QueueMinute {
  /** Start of the minute (epoch ms). */
  minute: number;
  /** Jobs of the queue that completed in it. */
  completed: number;
  /** Failed attempts of the queue that were retried in it. */
  retried: number;
  /** Jobs of the queue that went to the DLQ in it. */
  dead: number;
}

/**
 * `queue`'s outcomes in one minute, from the minute's totals (`row`) and its named queues'
 * figures (pure): the default queue's are the totals less the named ones'.
 *
 * @example
 * ```ts
 * const row = { minute: 0, completed: 4, retried: 0, dead: 1 };
 * const build = { completed: 1, retried: 0, dead: 1, runs: 2, run_sum: 9 };
 * queueMinute(row, new Map([["build", build]]), "default").completed; // 3
 * ```
 */
export function queueMinute(
  row: QueueMinute,
  named: ReadonlyMap<string, QueueFigures> | undefined,
  queue: string,
): QueueMinute {
  const f = queue === DEFAULT_QUEUE
    ? withDefaultQueue(named ?? new Map(), { ...zeroFigures(), ...pick(row) }).get(queue)!
    : named?.get(queue) ?? zeroFigures();
  return { minute: row.minute, ...pick(f) };
}

function pick(f: { completed: number; retried: number; dead: number }) {
  return { completed: f.completed, retried: f.retried, dead: f.dead };
}

/**
 * Sort order of queue names: `default`, then by name, {@linkcode OTHER_QUEUES} last.
 *
 * @example
 * ```ts
 * ["b", "(other)", "default", "a"].sort(queueOrder); // ["default", "a", "b", "(other)"]
 * ```
 */
export function queueOrder(a: string, b: string): number {
  const rank = (q: string) => q === DEFAULT_QUEUE ? 0 : q === OTHER_QUEUES ? 2 : 1;
  return rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0);
}
