/**
 * Read-only views: one job, jobs by state, counts, attempt history.
 *
 * @module
 */
import { type Attempt, type Job, JOB_STATES, type JobState } from "../job.ts";
import { OperationError } from "../errors.ts";
import { assertLookupId } from "../ids.ts";
import { keys } from "./keys.ts";
import { queueOf } from "../queue.ts";
import type { Store } from "./open.ts";

/**
 * One job, or null. An id longer than any job's is a UsageError (see `assertLookupId`).
 *
 * @example
 * ```ts
 * import type { Store } from "./open.ts";
 * declare const store: Store;
 * const job = await getJob(store, "a1");
 * ```
 */
export async function getJob(store: Store, id: string): Promise<Job | null> {
  return (await store.db.get<Job>(keys.job(assertLookupId(id)))).value;
}

/** Options of {@linkcode listJobs}. */
export interface ListOptions {
  /** Only this state; all states when absent. */
  state?: JobState;
  /** At most this many jobs (1..1000). */
  limit: number;
  /** Continue after this job id (from the previous page's `next`). */
  after?: string;
  /**
   * Only jobs of this queue. Pending ones are listed from the queue's own `ready` entries; for
   * other states the listing is read and filtered, so a rare queue among many jobs costs a scan.
   */
  queue?: string;
}

/** One page of jobs. */
export interface JobPage {
  /** The jobs, in index order. */
  jobs: Job[];
  /** Pass as `after` to get the next page, or null when this was the last. */
  next: string | null;
}

/**
 * Lists jobs: with a state, through that state's listing (no scan of other jobs): pending jobs
 * in claim order, the others oldest transition first; without a state, by id.
 *
 * @example
 * ```ts
 * import type { Store } from "./open.ts";
 * declare const store: Store;
 * const { jobs } = await listJobs(store, { state: "dead", limit: 50 });
 * ```
 */
export async function listJobs(store: Store, options: ListOptions): Promise<JobPage> {
  const limit = Math.max(1, Math.min(options.limit, 1000));
  if (options.queue !== undefined && options.state !== "pending") {
    return await listFiltered(store, options, limit, options.queue);
  }
  if (!options.state) {
    const start = options.after === undefined
      ? undefined
      : [...keys.job(assertLookupId(options.after)), ""];
    const entries = await store.db.list<Job>(
      start ? { prefix: keys.jobs, start } : { prefix: keys.jobs },
      { limit },
    );
    const jobs = entries.map((e) => e.value);
    // A full page may be followed by an empty one; asking for limit + 1 would break at 1,000,
    // the most one list may return.
    return { jobs, next: entries.length === limit ? jobs[jobs.length - 1]!.id : null };
  }
  const prefix = options.queue === undefined
    ? keys.listing(options.state)
    : keys.readyIn(options.queue);
  let start: Deno.KvKey | undefined;
  if (options.after !== undefined) {
    // Restarting from the top would show a paging script the same jobs again: refuse instead.
    const anchor = await getJob(store, options.after);
    if (!anchor || anchor.state !== options.state) {
      throw new OperationError(
        `cannot continue after job "${options.after}": it is no longer ${options.state}`,
      );
    }
    start = [...keys.listedAt(anchor), ""];
  }
  const page = await store.db.list<string>(start ? { prefix, start } : { prefix }, { limit });
  const found = await store.db.getMany<Job>(page.map((e) => keys.job(e.value)));
  const jobs = found.flatMap((e) => (e.value ? [e.value] : []));
  return { jobs, next: page.length === limit ? (page[page.length - 1]?.value ?? null) : null };
}

/** Reads the listing (by id without a state) a page at a time, keeping the queue's jobs. */
async function listFiltered(
  store: Store,
  options: ListOptions,
  limit: number,
  queue: string,
): Promise<JobPage> {
  const { state } = options;
  const prefix = state ? keys.listing(state) : keys.jobs;
  let start: Deno.KvKey | undefined;
  if (options.after !== undefined) {
    const anchor = await getJob(store, options.after);
    if (!anchor || (state && anchor.state !== state)) {
      throw new OperationError(
        `cannot continue after job "${options.after}": it is no longer ${state ?? "there"}`,
      );
    }
    start = [...(state ? keys.listedAt(anchor) : keys.job(anchor.id)), ""];
  }
  const jobs: Job[] = [];
  for (;;) {
    const want = 1000;
    const page = await store.db.list<unknown>(start ? { prefix, start } : { prefix }, {
      limit: want,
    });
    const found = state
      ? (await store.db.getMany<Job>(page.map((e) => keys.job(e.value as string))))
        .map((e) => e.value)
      : page.map((e) => e.value as Job);
    for (const job of found) {
      if (!job || queueOf(job) !== queue) continue;
      jobs.push(job);
      if (jobs.length === limit) return { jobs, next: job.id };
    }
    if (page.length < want) return { jobs, next: null };
    start = [...page[page.length - 1]!.key, ""];
  }
}

/**
 * How many jobs are in each state, from the counters: O(1) whatever the queue size.
 *
 * @example
 * ```ts
 * import type { Store } from "./open.ts";
 * declare const store: Store;
 * const counts = await countJobs(store); // { pending: 3, completed: 10, ... }
 * ```
 */
export async function countJobs(store: Store): Promise<Record<JobState, number>> {
  const entries = await store.db.getMany<Deno.KvU64>(JOB_STATES.map((s) => keys.count(s)));
  const out = {} as Record<JobState, number>;
  for (const [i, state] of JOB_STATES.entries()) {
    const v = entries[i]?.value?.value ?? 0n;
    // A counter that wrapped below zero would be a bug; show it as 0 rather than 2^64.
    out[state] = v > 2n ** 63n ? 0 : Number(v);
  }
  return out;
}

/**
 * A job's attempt history, oldest first.
 *
 * @example
 * ```ts
 * import type { Store } from "./open.ts";
 * declare const store: Store;
 * const history = await listAttempts(store, "a1");
 * ```
 */
export async function listAttempts(store: Store, id: string): Promise<Attempt[]> {
  const entries = await store.db.list<Attempt>({ prefix: keys.attempts(id) }, { limit: 1000 });
  return entries.map((e) => e.value);
}
