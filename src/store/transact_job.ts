/**
 * The read–check–commit loop of an operation on one job: read its record, decide what it
 * becomes, and commit that transition only if the record is still the one read; if another
 * writer got there first, read again and decide again.
 *
 * @module
 */
import { FINAL_STATES, type Job } from "../job.ts";
import { NotFoundError } from "../errors.ts";
import { assertLookupId } from "../ids.ts";
import { Tx } from "./tx.ts";
import { keys } from "./keys.ts";
import { applyTransition } from "./transition.ts";
import type { Store } from "./open.ts";

/** What {@linkcode transactJob} does to one job. */
export interface JobTransaction<A extends Job | null> {
  /** The job's id. */
  id: string;
  /**
   * The job as it should become, given the record as read: a new record, null to delete it, or
   * the record itself to leave it as it is (nothing is written). It may throw to refuse; it
   * runs again on the fresh record after a lost race, so it must not have side effects.
   */
  decide: (job: Job) => A;
  /** A finish hook is configured: a final state writes its outbox entry (`hook_outbox.ts`). */
  hooks?: boolean;
}

/**
 * Reads job `op.id`, asks `op.decide` what it becomes, and commits that transition in one atomic
 * operation that checks the record's versionstamp; a commit that loses to another writer reads
 * and decides again. Returns what `decide` returned for the record that was committed.
 *
 * @throws {NotFoundError} when there is no such job.
 * @throws {UsageError} when `op.id` is longer than any job's (see `assertLookupId`).
 *
 * @example
 * ```ts
 * import type { Store } from "./open.ts";
 * declare const store: Store;
 * const job = await transactJob(store, {
 *   id: "a1",
 *   decide: (job) => ({ ...job, priority: 5, updated_at: Date.now() }),
 * });
 * ```
 */
export async function transactJob<A extends Job | null>(
  store: Store,
  op: JobTransaction<A>,
): Promise<A> {
  for (;;) {
    const current = await store.db.get<Job>(keys.job(assertLookupId(op.id)));
    const job = current.value;
    if (!job) throw new NotFoundError(`job "${op.id}" not found`);
    const after = op.decide(job);
    if (after === job) return after;
    const tx = new Tx().check(current.key, current.versionstamp);
    applyTransition(tx, job, after, { hooks: op.hooks });
    if (await store.db.commit(tx) !== null) {
      // A waiter wakes when a job ends or goes away (`wait_jobs.ts`).
      if (after === null || FINAL_STATES.includes(after.state)) await store.endBell.ring();
      return after;
    }
  }
}
