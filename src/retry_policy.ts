/**
 * What happens to a job after an attempt ends: a pure function of the job, the outcome, the
 * configuration and `now`.
 *
 * @module
 */
import type { AttemptOutcome, Job } from "./job.ts";
import { retryDelayMs } from "./backoff.ts";

/** How an attempt ended, as the worker (or the recovering worker) reports it. */
export interface AttemptEnd {
  /** Why it ended. */
  outcome: AttemptOutcome;
  /** Exit code, when the process exited. */
  exit_code: number | null;
  /** One-line error for anything but success. */
  error: string | null;
  /**
   * The failure cannot pass by retrying on this job as it is (its folder is missing on the
   * worker's host, its stored environment is gone): the job goes to `dead` at once, with no
   * retry spent. Absent means false.
   */
  final?: boolean;
}

/** The retry settings the policy needs. */
export interface RetrySettings {
  /** Base of the exponential backoff, in seconds. */
  backoff_base: number;
  /** Longest wait between attempts, in ms. */
  backoff_max: number;
}

/**
 * The job record after an attempt ends (pure). Success completes it; a failure schedules the
 * retry after `backoff_base ^ k` seconds (k = failed attempts so far) until `1 + max_retries`
 * attempts have run, then the job is dead (at once for a `final` failure); an operator's interruption puts it back to pending
 * without charging the attempt; a requested cancel wins over a failure. `seq` is left to the
 * caller, which owns the index keys.
 *
 * @example
 * ```ts
 * import type { Job } from "./job.ts";
 * declare const job: Job; // its attempt just failed with exit code 1
 * const next = afterAttempt(job, { outcome: "failed", exit_code: 1, error: "exit code 1" }, {
 *   settings: { backoff_base: 2, backoff_max: 3_600_000 },
 *   now: Date.now(),
 * });
 * next.state; // "failed" (retry scheduled) or "dead"
 * ```
 */
export function afterAttempt(
  job: Job,
  end: AttemptEnd,
  options: { settings: RetrySettings; now: number },
): Job {
  const { now } = options;
  const base: Job = {
    ...job,
    updated_at: now,
    finished_at: now,
    exit_code: end.exit_code,
    last_error: end.error,
  };
  if (end.outcome === "succeeded") return { ...base, state: "completed", last_error: null };
  if (end.outcome === "canceled" || job.cancel_requested) return { ...base, state: "canceled" };
  if (end.outcome === "interrupted") {
    return { ...base, state: "pending", attempts: Math.max(0, job.attempts - 1), run_at: now };
  }
  if (end.final || job.attempts >= 1 + job.max_retries) return { ...base, state: "dead" };
  const delay = retryDelayMs(job.attempts, {
    backoffBase: options.settings.backoff_base,
    backoffMaxMs: options.settings.backoff_max,
  });
  return { ...base, state: "failed", run_at: now + delay };
}
