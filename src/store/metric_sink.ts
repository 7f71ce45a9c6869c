/**
 * The one seam between transitions and metrics. `applyTransition` hands every transition to a
 * {@linkcode MetricSink}, inside the transition's own atomic operation, so the counters commit
 * or fail with what they count and cannot drift from it. What a transition counts is decided by
 * the pure `transitionEvents` (`src/metrics.ts`); where the counts go is decided here, in
 * {@linkcode recordTransition}, and nowhere else: a new kind of counter (per queue, say) is
 * added there and reaches every operation at once.
 *
 * @module
 */
import type { Job } from "../job.ts";
import { bucketOf, minuteOf, transitionEvents } from "../metrics.ts";
import { queueFigures } from "../queue_metrics.ts";
import type { Tx } from "./tx.ts";
import { keys } from "./keys.ts";
import type { TallyDraft } from "./metric_tally.ts";

/**
 * One transition as a sink sees it: the job before (null: new) and after (null: deleted).
 *
 * @example
 * ```ts
 * import type { Job } from "../job.ts";
 * declare const job: Job; // just enqueued
 * const enqueued: TransitionChange = { before: null, after: job };
 * ```
 */
export interface TransitionChange {
  /** The job as it was read; null for a job being created. */
  before: Job | null;
  /** The job as it will be written; null for a job being deleted. */
  after: Job | null;
}

/**
 * Where a transition's metrics go. `applyTransition` calls {@linkcode MetricSink.record} once
 * per transition, and the sink adds its mutations to the same `tx`.
 *
 * @example
 * ```ts
 * import type { Job } from "../job.ts";
 * import type { TallyDraft } from "./metric_tally.ts";
 * import { applyTransition } from "./transition.ts";
 * import type { Tx } from "./tx.ts";
 * declare const tx: Tx;
 * declare const before: Job | null;
 * declare const after: Job;
 * declare const draft: TallyDraft;
 * applyTransition(tx, before, after, { metrics: metricSink(draft) });
 * ```
 */
export interface MetricSink {
  /** Adds to `tx` the metrics of one transition. */
  record(tx: Tx, change: TransitionChange): void;
}

/**
 * Adds to `tx` the metric counters a transition moves, or counts them into a worker's tally
 * (which the caller writes into `tx`) when they are all that worker's. Sums of one key within
 * a batch merge into one mutation, so a bulk enqueue costs one extra mutation.
 *
 * This is the place to add a counter: every transition of every operation passes through it,
 * with the job before and after and the transition's atomic operation. A new counter either is
 * a `tx.add` of its own `keys.metricMinute` key, made before the tally takes its share (the early
 * return), or a worker's transitions would never count in it; or `TallyDraft.absorb` and
 * `tallyParts` learn its name, and the tally carries it like the rest. The per-queue figures
 * take the second way, so a worker's transitions of a named queue write no extra key.
 */
function recordTransition(
  tx: Tx,
  change: TransitionChange,
  options: { tally?: TallyDraft } = {},
): void {
  const events = transitionEvents(change.before, change.after);
  if (!events) return;
  if (options.tally?.absorb(events)) return;
  const minute = minuteOf(events.at);
  for (const c of events.counters) tx.add(keys.metricMinute(minute, c), 1);
  for (const s of events.samples) {
    const at = minuteOf(s.at);
    tx.add(keys.metricMinute(at, s.timing, bucketOf(s.ms)), s.delta);
    tx.add(keys.metricMinute(at, `${s.timing}_sum`), s.delta * Math.round(s.ms));
    if (s.timing === "run") tx.max(keys.metricMinute(minute, "run_max"), s.ms);
  }
  if (events.worker) {
    const outcome = events.worker.ok ? "completed" : "failed";
    tx.add(keys.metricMinute(minute, "worker", events.worker.id, outcome), 1);
  }
  for (const [figure, n] of queueFigures(events)) {
    tx.add(keys.metricMinute(minute, "q", events.queue!, figure), n);
  }
}

/**
 * The sink that writes counter keys: what `applyTransition` uses unless told otherwise.
 *
 * @example
 * ```ts
 * import type { Job } from "../job.ts";
 * import type { Tx } from "./tx.ts";
 * declare const tx: Tx;
 * declare const job: Job; // just enqueued
 * counterKeys.record(tx, { before: null, after: job });
 * ```
 */
export const counterKeys: MetricSink = {
  record: (tx, change) => recordTransition(tx, change),
};

/**
 * A sink that counts a worker's own transitions into its minute tally `draft`, and the rest
 * (another minute, another worker's result) into counter keys. Without `draft`, it is
 * {@linkcode counterKeys}.
 *
 * @example
 * ```ts
 * import type { Job } from "../job.ts";
 * import type { MetricTally } from "./metric_tally.ts";
 * import { applyTransition } from "./transition.ts";
 * import type { Tx } from "./tx.ts";
 * declare const tally: MetricTally;
 * declare const tx: Tx;
 * declare const before: Job | null;
 * declare const after: Job;
 * const now = Date.now();
 * const draft = tally.draft(now);
 * applyTransition(tx, before, after, { metrics: metricSink(draft) });
 * draft.write(tx);
 * ```
 */
export function metricSink(draft?: TallyDraft): MetricSink {
  if (!draft) return counterKeys;
  return { record: (tx, change) => recordTransition(tx, change, { tally: draft }) };
}
