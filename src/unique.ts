/**
 * Unique jobs (`--unique-key K [--unique-for D]`): the `["unique", K]` entry names the job that
 * holds the key. It holds while that job is waiting or running, or until the window's end
 * (counted from enqueue time). The enqueue takes the entry in its own atomic op, checked; the
 * transition that makes the holder final deletes it when there is no window.
 *
 * @module
 */
import { FINAL_STATES, type Job } from "./job.ts";

/** The value of a `["unique", K]` entry. */
export interface UniqueEntry {
  /** The id of the job that holds the key. */
  id: string;
  /** End of the window in ms (enqueue time plus `--unique-for`), or null without one. */
  until: number | null;
}

/**
 * Whether `entry` still holds its key at `now` (pure): its holder is waiting or running, or the
 * window has not passed. A holder that no longer exists holds it only within its window.
 *
 * @example
 * ```ts
 * import type { Job } from "./job.ts";
 * declare const job: Job;
 * uniqueHeld({ id: "a", until: 2000 }, { ...job, state: "completed" }, 1000); // true
 * uniqueHeld({ id: "a", until: null }, { ...job, state: "completed" }, 1000); // false
 * ```
 */
export function uniqueHeld(entry: UniqueEntry, holder: Job | null, now: number): boolean {
  if (holder !== null && !FINAL_STATES.includes(holder.state)) return true;
  return entry.until !== null && now < entry.until;
}

/**
 * Whether `job` holds its unique key by its state alone: it has one and is not final.
 *
 * @example
 * ```ts
 * import type { Job } from "./job.ts";
 * declare const job: Job;
 * holdsUniqueKey({ ...job, state: "pending", unique_key: "k" }); // true
 * ```
 */
export function holdsUniqueKey(job: Job | null): boolean {
  return job?.unique_key !== undefined && !FINAL_STATES.includes(job.state);
}
