/**
 * Queue depth over time: the pending count is a live counter with no history, so each worker
 * samples it into the minute's bucket once a minute (beside the metrics sweep, never on the
 * claim path), and the last-hour report draws it. The current minute is read live instead.
 *
 * @module
 */
import { minuteOf } from "../metrics.ts";
import { Tx } from "./db.ts";
import { keys } from "./keys.ts";
import type { Store } from "./open.ts";
import { countJobs } from "./query.ts";

/**
 * Records the pending count as `now`'s minute depth (a max: several workers' samples of one
 * minute keep the highest). One read and one single-mutation commit; returns the count.
 *
 * @example
 * ```ts
 * import type { Store } from "./open.ts";
 * declare const store: Store;
 * await sampleDepth(store, { now: Date.now() });
 * ```
 */
export async function sampleDepth(store: Store, options: { now: number }): Promise<number> {
  const { pending } = await countJobs(store);
  // A max needs no check: it commutes with every other sample and with the sweep's fold,
  // which skips depth (a lost sample of a minute being swept is an old minute nobody draws).
  await store.db.commit(new Tx().max(keys.metricDepth(minuteOf(options.now)), pending));
  return pending;
}
