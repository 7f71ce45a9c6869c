/**
 * Letting held jobs go (`release`): one by id or many by selection, each change one checked
 * atomic operation.
 *
 * @module
 */
import type { Job } from "../job.ts";
import { runnable } from "../dependency.ts";
import { newId } from "../ids.ts";
import { ConflictError } from "../errors.ts";
import type { Store } from "./open.ts";
import { transactJob } from "./transact_job.ts";
import { type BulkResult, bulkTransition, type Selection } from "./bulk.ts";

/**
 * What a release at `now` makes of `job` (pure): a held job becomes `blocked` while dependencies
 * are unfinished, else `scheduled` before its `run_at`, else `pending`; any other is undefined.
 *
 * @example
 * ```ts
 * import type { Job } from "../job.ts";
 * declare const job: Job;
 * releaseDecision({ ...job, state: "held" }, Date.now())?.state; // "pending"
 * releaseDecision({ ...job, state: "pending" }, Date.now()); // undefined
 * ```
 */
export function releaseDecision(job: Job, now: number): Job | undefined {
  if (job.state !== "held") return undefined;
  if ((job.blocked_on ?? 0) > 0) {
    return { ...job, state: "blocked", seq: newId(now), updated_at: now };
  }
  return runnable(job, now);
}

/**
 * Releases one held job.
 *
 * @throws {NotFoundError} when there is no such job.
 * @throws {ConflictError} when the job is not held.
 *
 * @example
 * ```ts
 * import type { Store } from "./open.ts";
 * declare const store: Store;
 * const job = await releaseJob(store, "a1", { now: Date.now() });
 * job.state; // "pending", "scheduled" or "blocked"
 * ```
 */
export async function releaseJob(
  store: Store,
  id: string,
  options: { now: number },
): Promise<Job> {
  const job = await transactJob(store, {
    id,
    decide: (job) => {
      const next = releaseDecision(job, options.now);
      if (next) return next;
      throw new ConflictError(`job "${job.id}" is ${job.state}, not held`);
    },
  });
  if (job.state === "pending") await store.doorbell.ring();
  return job;
}

/**
 * Releases the held jobs of `selection` in batches (see `bulkTransition`); others are skipped.
 *
 * @example
 * ```ts
 * import type { Store } from "./open.ts";
 * declare const store: Store;
 * const r = await releaseJobs(store, { state: "held" }, { now: Date.now() });
 * r.changed; // how many were released
 * ```
 */
export async function releaseJobs(
  store: Store,
  selection: Selection,
  options: { now: number; onProgress?: (done: number) => void },
): Promise<BulkResult> {
  const result = await bulkTransition(store, selection, {
    decide: (job) => releaseDecision(job, options.now),
    onProgress: options.onProgress,
  });
  if (result.changed > 0) await store.doorbell.ring();
  return result;
}
