/**
 * The value of a finish hook's outbox entry (`["hook", seq, id]`): the job as its final
 * transition wrote it, and who is running the hook. Its own module, because `transition.ts`
 * writes it and `hook_outbox.ts` (which reads and claims it) imports more than a transition may.
 *
 * @module
 */
import type { Job } from "../job.ts";

/**
 * A finish hook still to run. `claimed_by` is null until a worker takes it; a claim lapses at
 * `claimed_until`, after which another worker may take it (the first one died mid-hook).
 *
 * @example
 * ```ts
 * import type { Job } from "../job.ts";
 * declare const job: Job;
 * const entry: HookEntry = { job, claimed_by: null, claimed_until: 0 };
 * ```
 */
export interface HookEntry {
  /** The job as it ended: the hook reports this state even if the job was retried since. */
  job: Job;
  /** The worker running the hook, or null. */
  claimed_by: string | null;
  /** When that worker's claim lapses (ms); 0 when unclaimed. */
  claimed_until: number;
}

/**
 * `after` lists kept in an entry at most: a record near the 64 KiB value limit gets there by a long
 * `after` (up to 1,000 ids), and its entry must fit wherever the record does, or the final
 * transition itself would fail.
 */
const MAX_AFTER_IN_ENTRY = 100;

/**
 * The entry a final transition writes for `job` (pure): the job, without a long `after` list.
 *
 * @example
 * ```ts
 * import type { Job } from "../job.ts";
 * declare const job: Job;
 * newHookEntry(job).claimed_by; // null
 * ```
 */
export function newHookEntry(job: Job): HookEntry {
  if ((job.after?.length ?? 0) > MAX_AFTER_IN_ENTRY) {
    const { after: _, ...rest } = job;
    return { job: rest, claimed_by: null, claimed_until: 0 };
  }
  return { job, claimed_by: null, claimed_until: 0 };
}
