/**
 * Exponential retry backoff: after the k-th failed attempt a job waits `backoff_base ^ k`
 * seconds, never more than `backoff_max`. Deterministic on purpose (no jitter), so the
 * schedule `inspect` shows is the one that happens.
 *
 * @module
 */

import { UsageError } from "./errors.ts";

/**
 * Backoff settings, from the `backoff_base` and `backoff_max` config keys.
 *
 * @example
 * ```ts
 * const options: BackoffOptions = { backoffBase: 2, backoffMaxMs: 3_600_000 };
 * ```
 */
export interface BackoffOptions {
  /** Base of the exponent, in seconds (config `backoff_base`, 1..60). */
  backoffBase: number;
  /** Upper bound of any single delay, in ms (config `backoff_max`). */
  backoffMaxMs: number;
}

/**
 * Milliseconds to wait before retrying after `failedAttempts` (k ≥ 1) failed attempts:
 * `backoffBase ^ k` seconds, capped at `backoffMaxMs`.
 *
 * @example
 * ```ts
 * retryDelayMs(3, { backoffBase: 2, backoffMaxMs: 3_600_000 }); // 8000
 * retryDelayMs(50, { backoffBase: 2, backoffMaxMs: 3_600_000 }); // 3600000
 * ```
 */
export function retryDelayMs(failedAttempts: number, options: BackoffOptions): number {
  const { backoffBase, backoffMaxMs } = options;
  if (!Number.isInteger(failedAttempts) || failedAttempts < 1) {
    throw new UsageError(`failed attempts must be an integer of at least 1, got ${failedAttempts}`);
  }
  if (!Number.isFinite(backoffBase) || backoffBase < 1) {
    throw new UsageError(`backoff base must be a number of at least 1, got ${backoffBase}`);
  }
  if (!Number.isFinite(backoffMaxMs) || backoffMaxMs < 0) {
    throw new UsageError(`backoff max must be a non-negative number of ms, got ${backoffMaxMs}`);
  }
  // Compare exponents in log space so a huge k cannot overflow to Infinity or NaN first.
  const capSeconds = backoffMaxMs / 1_000;
  if (backoffBase > 1 && failedAttempts * Math.log(backoffBase) >= Math.log(capSeconds)) {
    return Math.round(backoffMaxMs);
  }
  return Math.round(Math.min(backoffBase ** failedAttempts * 1_000, backoffMaxMs));
}

/**
 * When the retry after `failedAttempts` failed attempts is due: `now` plus retryDelayMs.
 *
 * @example
 * ```ts
 * nextRunAt(1_000_000, 1, { backoffBase: 2, backoffMaxMs: 3_600_000 }); // 1002000
 * ```
 */
export function nextRunAt(now: number, failedAttempts: number, options: BackoffOptions): number {
  if (!Number.isFinite(now)) throw new UsageError(`now must be a finite time in ms, got ${now}`);
  return now + retryDelayMs(failedAttempts, options);
}
