/**
 * Canceling a job: at once when it waits, through its worker when it runs.
 *
 * @module
 */
import type { Job, JobState } from "../job.ts";
import { newId } from "../ids.ts";
import { ConflictError } from "../errors.ts";
import type { Store } from "./open.ts";
import { transactJob } from "./transact_job.ts";
import { type BulkResult, bulkTransition, type Selection } from "./bulk.ts";
import { propagateDone, propagatePending } from "./propagate.ts";
import { readConfig } from "./config_store.ts";
import { hooksOn } from "../finish_hook.ts";

/**
 * Cancels a job. A held, blocked, scheduled, pending or failed job becomes `canceled` in one
 * atomic operation. A processing job gets `cancel_requested`; its worker sees it within a
 * heartbeat, kills the job's process group and records `canceled`. A final job cannot be
 * canceled. The jobs that run after a canceled one are canceled with it (`dependency X ended
 * canceled`). With a finish hook configured, each job canceled here gets its outbox entry.
 *
 * @example
 * ```ts
 * import type { Store } from "./open.ts";
 * declare const store: Store;
 * const job = await cancelJob(store, "a1", { now: Date.now() });
 * job.state; // "canceled", or "processing" with cancel_requested
 * ```
 */
export async function cancelJob(
  store: Store,
  id: string,
  options: { now: number; hooks?: boolean },
): Promise<Job> {
  const hooks = options.hooks ?? hooksOn(await readConfig(store));
  const job = await transactJob(store, {
    id,
    decide: (job) => canceled(job, options.now),
    hooks,
  });
  // Its dependents are canceled too, down the chain (maintenance finishes it if this stops).
  if (job.dependents && job.state === "canceled") {
    await propagateDone(store, id, { ...options, hooks });
  }
  return job;
}

/**
 * Cancels the jobs of `selection` in batches (see `bulkTransition`): waiting ones at once,
 * running ones through their workers (they count under `processing` in `byState`). Final jobs,
 * and running ones already asked to stop, are skipped. The jobs that run after a canceled one
 * are canceled with it, as with {@linkcode cancelJob}.
 *
 * @example
 * ```ts
 * import type { Store } from "./open.ts";
 * declare const store: Store;
 * const r = await cancelJobs(store, { state: "scheduled", label: ["batch", "7"] }, {
 *   now: Date.now(),
 * });
 * r.byState.canceled; // how many were canceled
 * ```
 */
export async function cancelJobs(
  store: Store,
  selection: Selection,
  options: { now: number; onProgress?: (done: number) => void; hooks?: boolean },
): Promise<BulkResult> {
  const hooks = options.hooks ?? hooksOn(await readConfig(store));
  const result = await bulkTransition(store, selection, {
    decide: (job) => cancelDecision(job, options.now),
    onProgress: options.onProgress,
    hooks,
  });
  // A canceled job others wait on left a marker in its commit; its dependents follow now.
  if ((result.byState.canceled ?? 0) > 0) {
    await propagatePending(store, { now: options.now, hooks });
  }
  return result;
}

/** States a job waits in, which a cancel ends at once. */
const WAITING: readonly JobState[] = ["held", "blocked", "pending", "scheduled", "failed"];

/**
 * What a cancel at `now` makes of `job` (pure): canceled when it waits, asked to stop when it
 * runs (itself when it already was), undefined when it is final and cannot be canceled.
 *
 * @example
 * ```ts
 * import type { Job } from "../job.ts";
 * declare const job: Job;
 * cancelDecision({ ...job, state: "completed" }, Date.now()); // undefined
 * ```
 */
export function cancelDecision(job: Job, now: number): Job | undefined {
  if (job.state === "processing") {
    if (job.cancel_requested) return job;
    return { ...job, cancel_requested: true, updated_at: now };
  }
  if (WAITING.includes(job.state)) {
    const { blocked_on: _, ...rest } = job;
    return { ...rest, state: "canceled", seq: newId(now), updated_at: now, finished_at: now };
  }
  return undefined;
}

/** What a cancel at `now` makes of `job`: itself when it is already asked to stop. */
function canceled(job: Job, now: number): Job {
  const after = cancelDecision(job, now);
  if (after) return after;
  throw new ConflictError(`job "${job.id}" is ${job.state} and cannot be canceled`);
}
