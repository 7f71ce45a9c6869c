/**
 * How `worker start --count N` splits its slots over worker processes by default.
 *
 * @module
 */

/** The most slots the default gives one worker process. */
export const SLOTS_PER_PROCESS = 32;

/**
 * How many worker processes `worker start --count N` runs when `--processes` is not given (pure):
 * one per {@linkcode SLOTS_PER_PROCESS} slots. One process runs its jobs without fighting another
 * over the database file (lost claim races, "database is locked"), and the worker tree's memory
 * grows with the processes, not the jobs. Draining `sleep 0.05` jobs at `--count 32`, one process
 * of 32 slots did 0.77–0.80x of what the slots allow with a tree of 146 MiB, two of 16 slots
 * 0.69–0.73x with 210–216 MiB (docs/PERFORMANCE.md, "Slots"). Past 32 slots a second process keeps
 * a crash from taking more than 32 running jobs at once (they are recovered, but run again).
 *
 * @example
 * ```ts
 * defaultProcesses(2); // 1
 * defaultProcesses(32); // 1
 * defaultProcesses(33); // 2
 * ```
 */
export function defaultProcesses(count: number): number {
  return Math.max(1, Math.ceil(count / SLOTS_PER_PROCESS));
}
