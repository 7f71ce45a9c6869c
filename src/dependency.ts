/**
 * What a job waiting on others becomes when it learns one of their outcomes (pure). The store's
 * enqueue, propagation, release and repair all decide with these.
 *
 * @module
 */
import type { Job, JobState } from "./job.ts";
import { newId } from "./ids.ts";

/**
 * The state a job that waits on nothing (any more) goes to: `scheduled` before its `run_at`,
 * else `pending` (pure).
 *
 * @example
 * ```ts
 * import type { Job } from "./job.ts";
 * declare const job: Job;
 * runnable({ ...job, state: "blocked" }, Date.now()).state; // "pending" or "scheduled"
 * ```
 */
export function runnable(job: Job, now: number): Job {
  const { blocked_on: _, ...rest } = job;
  return {
    ...rest,
    state: job.run_at > now ? "scheduled" : "pending",
    seq: newId(now),
    updated_at: now,
  };
}

/**
 * The job canceled because its dependency `parent` ended `outcome` (dead, canceled, or not
 * found), with `last_error` saying so (pure).
 *
 * @example
 * ```ts
 * import type { Job } from "./job.ts";
 * declare const job: Job;
 * dependencyCanceled(job, { parent: "a1", outcome: "dead", now: 0 }).last_error;
 * // "dependency a1 ended dead"
 * ```
 */
export function dependencyCanceled(
  job: Job,
  options: { parent: string; outcome: JobState | "missing"; now: number },
): Job {
  const { parent, outcome, now } = options;
  const { blocked_on: _, ...rest } = job;
  return {
    ...rest,
    state: "canceled",
    seq: newId(now),
    updated_at: now,
    finished_at: now,
    last_error: outcome === "missing"
      ? `dependency ${parent} not found`
      : `dependency ${parent} ended ${outcome}`,
  };
}

/**
 * What a waiting job (`blocked` or `held`) becomes when its dependency `parent` ended `outcome`
 * (pure): one fewer to wait on after a completion, released at zero (a held job stays held),
 * canceled after any other end. A job that no longer waits is returned as it is.
 *
 * @example
 * ```ts
 * import type { Job } from "./job.ts";
 * declare const job: Job; // blocked, blocked_on 1
 * afterDependency(job, { parent: "a1", outcome: "completed", now: Date.now() }).state; // "pending"
 * ```
 */
export function afterDependency(
  job: Job,
  options: { parent: string; outcome: JobState | "missing"; now: number },
): Job {
  if (job.state !== "blocked" && job.state !== "held") return job;
  if (options.outcome !== "completed") return dependencyCanceled(job, options);
  const left = Math.max(0, (job.blocked_on ?? 0) - 1);
  if (left > 0) return { ...job, blocked_on: left, updated_at: options.now };
  if (job.state === "held") {
    const { blocked_on: _, ...rest } = job;
    return { ...rest, updated_at: options.now };
  }
  return runnable(job, options.now);
}
