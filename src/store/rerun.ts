/**
 * Letting a held job go (`release`) and running a final job again (`retry`): one job per call,
 * each one checked atomic operation through `transactJob`, so a bulk caller can apply them to
 * many ids.
 *
 * @module
 */
import { FINAL_STATES, type Job } from "../job.ts";
import { runnable } from "../dependency.ts";
import { newId } from "../ids.ts";
import { ConflictError } from "../errors.ts";
import type { Store } from "./open.ts";
import { transactJob } from "./transact_job.ts";
import { requeued } from "./dlq.ts";

/**
 * Releases a held job: it becomes `blocked` while dependencies are unfinished, else `scheduled`
 * before its `run_at`, else `pending`.
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
  const job = await transactJob(store, { id, decide: (job) => released(job, options.now) });
  if (job.state === "pending") await store.doorbell.ring();
  return job;
}

/**
 * Runs a final job (completed, dead or canceled) again as a fresh set of attempts: `attempts`
 * resets as `dlq retry` does, `runs` keeps counting, and its attempt history and output stay.
 * It does not wait on its dependencies again.
 *
 * @throws {NotFoundError} when there is no such job.
 * @throws {ConflictError} when the job is not final.
 *
 * @example
 * ```ts
 * import type { Store } from "./open.ts";
 * declare const store: Store;
 * const job = await retryJob(store, "a1", { now: Date.now() });
 * job.state; // "pending"
 * ```
 */
export async function retryJob(
  store: Store,
  id: string,
  options: { now: number },
): Promise<Job> {
  const job = await transactJob(store, { id, decide: (job) => retried(job, options.now) });
  await store.doorbell.ring();
  return job;
}

/** What `release` makes of `job` at `now` (pure). */
function released(job: Job, now: number): Job {
  if (job.state !== "held") {
    throw new ConflictError(`job "${job.id}" is ${job.state}, not held`);
  }
  if ((job.blocked_on ?? 0) > 0) {
    return { ...job, state: "blocked", seq: newId(now), updated_at: now };
  }
  return runnable(job, now);
}

/** What `retry` makes of `job` at `now` (pure). */
function retried(job: Job, now: number): Job {
  if (!FINAL_STATES.includes(job.state)) {
    throw new ConflictError(
      `job "${job.id}" is ${job.state}; only a completed, dead or canceled job can be retried`,
    );
  }
  const { blocked_on: _, ...rest } = job;
  return requeued(rest, now);
}
