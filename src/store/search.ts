/**
 * Finding jobs by id or command text with a bounded cost: an exact id lookup and an id-prefix
 * range read first (both through the job keys, whatever the queue's size), then a scan of at
 * most `scan` jobs, or for at most `budgetMs`, from one end of an index, which the caller can
 * continue.
 *
 * @module
 */
import { JOB_ID_PATTERN } from "../ids.ts";
import type { Job, JobState } from "../job.ts";
import { queueOf } from "../queue.ts";
import { keys } from "./keys.ts";
import type { Store } from "./open.ts";
import { scanListing } from "./listing_scan.ts";
import type { PageOrder } from "./page.ts";

/** Options of {@linkcode searchJobs}. */
export interface SearchOptions {
  /** Text to find in a job's id or command (case-insensitive). */
  text: string;
  /** Only jobs of this state. */
  state?: JobState;
  /** Only jobs of this queue (filtered within the scan: no index has both). */
  queue?: string;
  /** Stop scanning after this many milliseconds (checked between batches). Default: none. */
  budgetMs?: number;
  /** The clock the budget is measured on. Default `Date.now`. */
  clock?: () => number;
  /** Stop after this many matches (1..1000). Default 50. */
  limit?: number;
  /** Look at no more than this many jobs in this call (1..10,000). Default 2,000. */
  scan?: number;
  /** Resume a scan where a previous call's `cursor` left it. */
  cursor?: string;
  /** `oldest` (default) or `newest` first. */
  order?: PageOrder;
}

/** What a search found, and how far it looked. */
export interface SearchResult {
  /** Matching jobs; an exact id match comes first. */
  jobs: Job[];
  /** How many jobs the scan looked at. */
  scanned: number;
  /** Where to resume the scan, or null when it reached the end of the index. */
  cursor: string | null;
}

/**
 * Searches jobs by id or command. The job whose id equals `text` is found with one read
 * whatever the queue's size; the substring scan reads at most `scan` jobs, so a search over
 * 100k jobs stays bounded and says (through `cursor`) that it stopped early.
 *
 * @example
 * ```ts
 * import type { Store } from "./open.ts";
 * declare const store: Store;
 * const { jobs, cursor } = await searchJobs(store, { text: "backup", state: "dead" });
 * ```
 */
export async function searchJobs(store: Store, options: SearchOptions): Promise<SearchResult> {
  const needle = options.text.toLowerCase();
  const limit = clamp(options.limit ?? 50, 1, 1000);
  const scanMax = clamp(options.scan ?? 2000, 1, 10_000);
  const order = options.order ?? "oldest";
  const matches = (j: Job) =>
    (!options.state || j.state === options.state) &&
    (options.queue === undefined || queueOf(j) === options.queue) &&
    (j.id.toLowerCase().includes(needle) || j.command.toLowerCase().includes(needle));

  const jobs: Job[] = [];
  const seen = new Set<string>();
  // Only text shaped like an id can be one; anything else (5,000 characters, say) would make a
  // key beyond KV's 2,048-byte limit, and it is still searched for in the scan.
  if (options.cursor === undefined && JOB_ID_PATTERN.test(options.text)) {
    const exact = (await store.db.get<Job>(keys.job(options.text))).value;
    if (exact && matches(exact)) {
      jobs.push(exact);
      seen.add(exact.id);
    }
    // Ids starting with the text: one range read of the job keys (ids are ASCII, so every one
    // with the prefix sorts below the prefix followed by U+FFFF).
    const range = await store.db.list<Job>({
      start: keys.job(options.text),
      end: keys.job(options.text + "\uffff"),
    }, { limit });
    for (const { value: job } of range) {
      if (jobs.length >= limit) break;
      if (!seen.has(job.id) && matches(job)) {
        jobs.push(job);
        seen.add(job.id);
      }
    }
  }

  // With every match already found by id, the scan has nothing left to add.
  if (jobs.length >= limit) return { jobs, scanned: 0, cursor: null };
  const scanned = await scanListing(store, {
    state: options.state,
    queue: options.queue,
    // A job met twice (found by id, or moved ahead of the scan meanwhile) is shown once.
    keep: (j) => !seen.has(j.id) && matches(j) && !!seen.add(j.id),
    limit: limit - jobs.length,
    cursor: options.cursor,
    order,
    scan: scanMax,
    budgetMs: options.budgetMs,
    clock: options.clock,
  });
  return { jobs: [...jobs, ...scanned.jobs], scanned: scanned.scanned, cursor: scanned.cursor };
}

function clamp(n: number, min: number, max: number): number {
  return Math.max(min, Math.min(Math.floor(n), max));
}
