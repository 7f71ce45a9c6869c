/**
 * Committing a worker's own transitions with its metric tally: read the tally if it may be
 * stale, count into a draft of it, write the draft into the same atomic operation, commit, and
 * keep the result. Claim, handoff and finish all do exactly this, so it lives once here.
 *
 * @module
 */
import type { Tx } from "./tx.ts";
import type { Store } from "./open.ts";
import type { MetricTally } from "./metric_tally.ts";
import { type MetricSink, metricSink } from "./metric_sink.ts";

/** What {@linkcode commitCounted} commits. */
export interface CountedCommit<T> {
  /** The operation, with the checks of what the caller read. */
  tx: Tx;
  /** The clock reading the transitions carry; it picks the tally's minute. */
  now: number;
  /** The worker's tally; without it the transitions count into counter keys. */
  tally?: MetricTally;
  /** Adds the transitions to `tx`, passing `metrics` to every `applyTransition`. */
  build: (metrics: MetricSink) => T;
}

/**
 * Builds one atomic operation with `op.build`, counting its transitions into the worker's tally
 * when there is one (one checked `set` in the same commit instead of a `sum` per counter), and
 * commits it, after any commit under way with the same tally. Returns what `build` returned and the commit's versionstamp, null when a check
 * failed; the tally takes the result either way.
 *
 * @example
 * ```ts
 * import type { Job } from "../job.ts";
 * import type { RetrySettings } from "../retry_policy.ts";
 * import { addFinish, type AttemptReport } from "./finish.ts";
 * import type { MetricTally } from "./metric_tally.ts";
 * import type { Store } from "./open.ts";
 * import { Tx } from "./tx.ts";
 * declare const store: Store;
 * declare const current: Deno.KvEntry<Job>;
 * declare const before: Job;
 * declare const report: AttemptReport;
 * declare const settings: RetrySettings;
 * declare const tally: MetricTally;
 * const now = Date.now();
 * const tx = new Tx().check(current.key, current.versionstamp);
 * const { value: job, versionstamp } = await commitCounted(store, {
 *   tx,
 *   now,
 *   tally,
 *   build: (metrics) => addFinish(tx, before, report, { now, settings, metrics }),
 * });
 * ```
 */
export async function commitCounted<T>(
  store: Store,
  op: CountedCommit<T>,
): Promise<{ value: T; versionstamp: string | null }> {
  const { tx, now, tally } = op;
  if (!tally) {
    const value = op.build(metricSink());
    return { value, versionstamp: await store.db.commit(tx) };
  }
  // The slots of one worker share its tally: their commits take turns (`exclusive`).
  return await tally.exclusive(async () => {
    await tally.ready(store, now);
    const draft = tally.draft(now);
    const value = op.build(metricSink(draft));
    draft.write(tx);
    const versionstamp = await store.db.commit(tx);
    tally.settle(draft, versionstamp);
    return { value, versionstamp };
  });
}
