/**
 * A small state's jobs by creation time, exactly: its whole listing is read and sorted in
 * memory. The `["count", state]` counter says beforehand whether the state is small enough.
 *
 * @module
 */
import type { Job, JobState } from "../job.ts";
import { queueOf } from "../queue.ts";
import { before, type Place, placeOf } from "./created_page.ts";
import { keys } from "./keys.ts";
import type { Store } from "./open.ts";
import { encodeCursor, type PageOrder } from "./page.ts";

/**
 * The most jobs a state may hold for its creation-time view to be read whole and sorted in
 * memory. Measured on a local file of 22,000 jobs (load 1.3): reading 2,000 jobs of a state whole
 * took 86-169 ms, the creation walk reading 2,000 jobs 150-166 ms. The whole read is exact and
 * never partial; the walk fills a page of 50 from a state of N among M jobs after about 50·M/N
 * reads, so the two meet near N = √(50·M), about 2,200 at 100k jobs. Past this the walk is used.
 *
 * @example
 * ```ts
 * SMALL_STATE; // 2000
 * ```
 */
export const SMALL_STATE = 2000;

/** Options of {@linkcode pageStateByCreation}. */
export interface StateCreatedOptions {
  /** The state. */
  state: JobState;
  /** Only jobs of this queue (pending ones through the queue's own `ready` keys). */
  queue?: string;
  /** At most this many jobs (1..1000). */
  limit: number;
  /** Go on from a previous page's cursor (any creation-order cursor). */
  cursor?: string;
  /** `newest` created first, or `oldest`. */
  order: PageOrder;
}

/**
 * One page of a state's jobs (optionally of one queue) by creation time, from its whole listing.
 * Meant for a state of at most {@linkcode SMALL_STATE} jobs: it reads every one of them.
 *
 * @example
 * ```ts
 * import type { Store } from "./open.ts";
 * declare const store: Store;
 * const page = await pageStateByCreation(store, { state: "dead", limit: 50, order: "newest" });
 * ```
 */
export async function pageStateByCreation(
  store: Store,
  options: StateCreatedOptions,
): Promise<{ jobs: Job[]; cursor: string | null }> {
  const limit = Math.max(1, Math.min(Math.floor(options.limit), 1000));
  const place = options.cursor === undefined ? undefined : placeOf(options.cursor);
  const { state, queue } = options;
  const prefix = state === "pending" && queue !== undefined
    ? keys.readyIn(queue)
    : keys.listing(state);
  const all: Job[] = [];
  let start: Deno.KvKey | undefined;
  for (;;) {
    const page = await store.db.list<string>(start ? { prefix, start } : { prefix }, {
      limit: 1000,
    });
    const found = await store.db.getMany<Job>(page.map((e) => keys.job(e.value)));
    for (const { value: job } of found) {
      // A job that moved between the index read and the record read is left out.
      if (job && job.state === state && (queue === undefined || queueOf(job) === queue)) {
        all.push(job);
      }
    }
    if (page.length < 1000) break;
    start = [...page[page.length - 1]!.key, ""];
  }
  const newest = options.order === "newest";
  const jobs = sortByCreation(all, newest).filter((j) =>
    !place || (newest ? before([j.created_at, j.id], place) : before(place, [j.created_at, j.id]))
  );
  const shown = jobs.slice(0, limit);
  const last = shown[shown.length - 1];
  return {
    jobs: shown,
    cursor: jobs.length > limit && last ? encodeCursor([last.created_at, last.id]) : null,
  };
}

/**
 * Jobs by `[created_at, id]`, newest or oldest first (pure; sorts a copy).
 *
 * @example
 * ```ts
 * import type { Job } from "../job.ts";
 * declare const jobs: Job[];
 * const newestFirst = sortByCreation(jobs, true);
 * ```
 */
export function sortByCreation(jobs: readonly Job[], newest: boolean): Job[] {
  const place = (j: Job): Place => [j.created_at, j.id];
  return [...jobs].sort((a, b) => (before(place(a), place(b)) ? -1 : 1) * (newest ? -1 : 1));
}
