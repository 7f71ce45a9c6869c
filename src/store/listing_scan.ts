/**
 * A bounded scan of one index (a state's listing, one queue's pending jobs, or every job by id)
 * from either end, keeping the jobs a filter wants: at most `scan` entries or `budgetMs` a call,
 * with an opaque cursor to go on. The search and the per-state views by latest change that also
 * filter by queue read through it.
 *
 * @module
 */
import type { Job, JobState } from "../job.ts";
import { queueOf } from "../queue.ts";
import { keys } from "./keys.ts";
import type { Store } from "./open.ts";
import { type BoundedRead, encodeCursor, indexOf, selectorAfter } from "./page.ts";

/** Options of {@linkcode scanListing}. */
/** Its `limit` may be 0 (a scan for a cursor only). */
export interface ListingScanOptions extends BoundedRead {
  /** Walk this state's listing; every job by id when absent. */
  state?: JobState;
  /** Only jobs of this queue (pending ones through the queue's own `ready` keys). */
  queue?: string;
  /** Keep only the jobs this says yes to (beside state and queue). Default: every one. */
  keep?: (job: Job) => boolean;
}

/** What a scan kept, how far it read, and where to go on. */
export interface ListingScan {
  /** The kept jobs, in index order. */
  jobs: Job[];
  /** How many entries the scan read. */
  scanned: number;
  /** Where to go on, or null when the scan reached the end of the index. */
  cursor: string | null;
}

const BATCH = 200;

/**
 * Scans an index within a budget, keeping what the filter wants. Stopping on the limit mid-batch
 * goes on just after the last kept job, not after the batch.
 *
 * @example
 * ```ts
 * import type { Store } from "./open.ts";
 * declare const store: Store;
 * const page = await scanListing(store, {
 *   state: "dead",
 *   queue: "mail",
 *   limit: 50,
 *   order: "newest",
 *   scan: 5000,
 * });
 * ```
 */
export async function scanListing(store: Store, options: ListingScanOptions): Promise<ListingScan> {
  const { state, queue, limit, order, scan } = options;
  const clock = options.clock ?? Date.now;
  const deadline = options.budgetMs === undefined ? Infinity : clock() + options.budgetMs;
  const wanted = (j: Job) =>
    (!state || j.state === state) && (queue === undefined || queueOf(j) === queue) &&
    (!options.keep || options.keep(j));
  const index = indexOf(state, queue);
  const jobs: Job[] = [];
  let cursor = options.cursor;
  let scanned = 0;
  let more = true;
  while (more && scanned < scan && jobs.length < limit && clock() < deadline) {
    const want = Math.min(BATCH, scan - scanned);
    const selector = selectorAfter(index, cursor, order);
    const batch = await readBatch(store, state, selector, want, order === "newest");
    scanned += batch.length;
    more = batch.length === want;
    for (const { job, key } of batch) {
      cursor = encodeCursor(index.positionOf(key));
      if (job && wanted(job)) {
        jobs.push(job);
        if (jobs.length >= limit) break;
      }
    }
    if (jobs.length >= limit) more = true;
  }
  return { jobs, scanned, cursor: more ? cursor ?? null : null };
}

async function readBatch(
  store: Store,
  state: JobState | undefined,
  selector: Deno.KvListSelector,
  limit: number,
  reverse: boolean,
): Promise<{ job: Job | null; key: Deno.KvKey }[]> {
  if (!state) {
    const entries = await store.db.list<Job>(selector, { limit, reverse });
    return entries.map((e) => ({ job: e.value, key: e.key }));
  }
  const entries = await store.db.list<string>(selector, { limit, reverse });
  const found = await store.db.getMany<Job>(entries.map((e) => keys.job(e.value)));
  return entries.map((e, i) => ({ job: found[i]?.value ?? null, key: e.key }));
}
