/**
 * Views by creation time that no index holds in that order (one queue, one state, or both):
 * the all-jobs creation walk of `created_page.ts`, filtered as it goes, within a budget of
 * records and time. It writes nothing, so enqueue, claim and finish pay nothing for it; a view
 * whose jobs are rare among the newest pays with a `partial` answer and a cursor to go on.
 *
 * @module
 */
import type { Job, JobState } from "../job.ts";
import { queueOf } from "../queue.ts";
import { pageByCreation } from "./created_page.ts";
import type { Store } from "./open.ts";
import { type BoundedRead, encodeCursor } from "./page.ts";

/** Options of {@linkcode walkByCreation}. */
export interface CreatedWalkOptions extends BoundedRead {
  /** Only jobs in this state. */
  state?: JobState;
  /** Only jobs of this queue. */
  queue?: string;
}

/** A page of a filtered creation walk and how far it read. */
export interface CreatedWalkPage {
  /** The matching jobs, in creation order. */
  jobs: Job[];
  /** Where the next call goes on, or null when the walk reached the end. */
  cursor: string | null;
  /** How many jobs the walk read. */
  scanned: number;
  /** True when the budget ended before the page filled (a cursor then says where to go on). */
  partial: boolean;
}

/** Jobs read per step: a step is two KV lists of at most this many entries. */
const BATCH = 500;

/**
 * One page of the jobs of a state and/or queue by creation time, read from the newest (or
 * oldest) job on and filtered, reading at most `scan` jobs or for `budgetMs`. A full page ends
 * its cursor at its last job, so the next call neither repeats nor skips one.
 *
 * @example
 * ```ts
 * import type { Store } from "./open.ts";
 * declare const store: Store;
 * const page = await walkByCreation(store, {
 *   queue: "mail",
 *   limit: 50,
 *   order: "newest",
 *   scan: 5000,
 *   budgetMs: 1000,
 * });
 * if (page.partial) console.log(`read ${page.scanned} jobs; go on from ${page.cursor}`);
 * ```
 */
export async function walkByCreation(
  store: Store,
  options: CreatedWalkOptions,
): Promise<CreatedWalkPage> {
  const limit = Math.max(1, Math.min(Math.floor(options.limit), 1000));
  const clock = options.clock ?? Date.now;
  const deadline = options.budgetMs === undefined ? Infinity : clock() + options.budgetMs;
  const keep = (j: Job) =>
    (options.state === undefined || j.state === options.state) &&
    (options.queue === undefined || queueOf(j) === options.queue);
  const jobs: Job[] = [];
  let cursor: string | null | undefined = options.cursor;
  let scanned = 0;
  while (scanned < options.scan && clock() < deadline) {
    const want = Math.min(BATCH, options.scan - scanned);
    const page = await pageByCreation(store, {
      limit: want,
      cursor: cursor ?? undefined,
      order: options.order,
    });
    scanned += page.jobs.length;
    for (const job of page.jobs) {
      if (!keep(job)) continue;
      jobs.push(job);
      if (jobs.length === limit) {
        return { jobs, cursor: encodeCursor([job.created_at, job.id]), scanned, partial: false };
      }
    }
    cursor = page.cursor;
    if (cursor === null) return { jobs, cursor: null, scanned, partial: false };
  }
  return { jobs, cursor: cursor ?? null, scanned, partial: cursor !== null };
}
