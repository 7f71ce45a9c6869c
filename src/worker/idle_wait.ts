/**
 * How long an idle worker waits before it looks again (pure): until the poll interval, or sooner
 * when something is known to come due.
 *
 * @module
 */

/** What an idle worker knows about the next thing to come due (epoch ms; null: nothing). */
export interface IdleKnowledge {
  /** Now. */
  now: number;
  /** `poll_interval_ms`: the longest a wait lasts, whatever else says. */
  pollMs: number;
  /** The earliest scheduled job's `run_at`. */
  dueAt: number | null;
  /** The earliest schedule tick. */
  tickAt: number | null;
  /** When a queue held back by its rate may start again. */
  retryAt: number | null;
}

/**
 * The wait in ms: the poll interval, cut short by the first due time, tick or rate retry; at
 * least 1 ms, so a time already past does not spin.
 *
 * @example
 * ```ts
 * idleWaitMs({ now: 0, pollMs: 500, dueAt: 120, tickAt: null, retryAt: null }); // 120
 * idleWaitMs({ now: 0, pollMs: 500, dueAt: -5, tickAt: null, retryAt: null }); // 1
 * ```
 */
export function idleWaitMs(k: IdleKnowledge): number {
  const wake = Math.min(k.dueAt ?? Infinity, k.tickAt ?? Infinity, k.retryAt ?? Infinity);
  return Math.max(1, Math.min(k.pollMs, wake - k.now));
}
