/**
 * Re-running a final job (completed, dead or canceled) as a fresh set of attempts, one by id or
 * many by selection. Its history is kept and `runs` goes on counting. (`dlq retry` is the same
 * for dead jobs alone.)
 *
 * @module
 */
import { FINAL_STATES, type Job } from "../job.ts";
import { ConflictError } from "../errors.ts";
import type { Store } from "./open.ts";
import { transactJob } from "./transact_job.ts";
import { type BulkResult, bulkTransition, type Selection } from "./bulk.ts";
import { requeued } from "./dlq.ts";

/**
 * What a retry at `now` makes of `job` (pure): pending with fresh attempts when it is final,
 * undefined otherwise.
 *
 * @example
 * ```ts
 * import type { Job } from "../job.ts";
 * declare const job: Job;
 * retryDecision({ ...job, state: "completed" }, Date.now())?.state; // "pending"
 * retryDecision({ ...job, state: "pending" }, Date.now()); // undefined
 * ```
 */
export function retryDecision(job: Job, now: number): Job | undefined {
  if (!FINAL_STATES.includes(job.state)) return undefined;
  // A retried job does not wait on its dependencies again.
  const { blocked_on: _, ...rest } = job;
  return requeued(rest, now);
}

/**
 * Re-runs one final job; a job that is not final is a ConflictError, a missing one NotFound.
 *
 * @example
 * ```ts
 * import type { Store } from "./open.ts";
 * declare const store: Store;
 * const job = await retryJob(store, "a1", { now: Date.now() });
 * job.state; // "pending"
 * ```
 */
export async function retryJob(store: Store, id: string, options: { now: number }): Promise<Job> {
  const after = await transactJob(store, {
    id,
    decide: (job) => {
      const next = retryDecision(job, options.now);
      if (next) return next;
      throw new ConflictError(
        `job "${id}" is ${job.state}; only a completed, dead or canceled job can be retried`,
      );
    },
  });
  await store.doorbell.ring();
  return after;
}

/**
 * Re-runs the final jobs of `selection` in batches (see `bulkTransition`); others are skipped.
 *
 * @example
 * ```ts
 * import type { Store } from "./open.ts";
 * declare const store: Store;
 * const r = await retryJobs(store, { state: "canceled" }, { now: Date.now() });
 * r.changed; // how many were requeued
 * ```
 */
export async function retryJobs(
  store: Store,
  selection: Selection,
  options: { now: number; onProgress?: (done: number) => void },
): Promise<BulkResult> {
  const result = await bulkTransition(store, selection, {
    decide: (job) => retryDecision(job, options.now),
    onProgress: options.onProgress,
  });
  if (result.changed > 0) await store.doorbell.ring();
  return result;
}
