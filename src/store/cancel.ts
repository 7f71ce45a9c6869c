/**
 * Canceling a job: at once when it waits, through its worker when it runs.
 *
 * @module
 */
import type { Job } from "../job.ts";
import { newId } from "../ids.ts";
import { ConflictError, NotFoundError } from "../errors.ts";
import { Tx } from "./db.ts";
import { keys } from "./keys.ts";
import { applyTransition } from "./transition.ts";
import type { Store } from "./open.ts";

/**
 * Cancels a job. A scheduled, pending or failed job becomes `canceled` in one atomic operation.
 * A processing job gets `cancel_requested`; its worker sees it within a heartbeat, kills the
 * job's process group and records `canceled`. A final job cannot be canceled.
 *
 * @example
 * ```ts
 * const job = await cancelJob(store, "a1", { now: Date.now() });
 * job.state; // "canceled", or "processing" with cancel_requested
 * ```
 */
export async function cancelJob(store: Store, id: string, options: { now: number }): Promise<Job> {
  for (;;) {
    const current = await store.db.get<Job>(keys.job(id));
    const job = current.value;
    if (!job) throw new NotFoundError(`job "${id}" not found`);
    let after: Job;
    if (job.state === "processing") {
      if (job.cancel_requested) return job;
      after = { ...job, cancel_requested: true, updated_at: options.now };
    } else if (job.state === "pending" || job.state === "scheduled" || job.state === "failed") {
      after = {
        ...job,
        state: "canceled",
        seq: newId(options.now),
        updated_at: options.now,
        finished_at: options.now,
      };
    } else {
      throw new ConflictError(`job "${id}" is ${job.state} and cannot be canceled`);
    }
    const tx = new Tx().check(current.key, current.versionstamp);
    applyTransition(tx, job, after);
    if (await store.db.commit(tx) !== null) return after;
  }
}
