/**
 * Jobs by label, through the `["label", key, value, createdAt, id]` index: listing, counting per
 * state, and the ids a bulk command selects. None of them scans jobs without the label.
 *
 * @module
 */
import { type Job, JOB_STATES, type JobState } from "../job.ts";
import { OperationError } from "../errors.ts";
import { queueOf } from "../queue.ts";
import { keys } from "./keys.ts";
import type { Store } from "./open.ts";
import type { JobPage } from "./query.ts";

/** A label to select by: `[key, value]`. */
export type LabelSelector = readonly [string, string];

/**
 * How many label entries one {@linkcode listLabeled} call reads at most: with a state filter
 * that few of the label's jobs match, a page may come back short with a `next` to go on from,
 * rather than read every job of the label.
 *
 * @example
 * ```ts
 * LABEL_SCAN; // 5000
 * ```
 */
export const LABEL_SCAN = 5000;

/** Options of {@linkcode listLabeled}. */
export interface LabeledListOptions {
  /** The label. */
  label: LabelSelector;
  /** Only this state; all states when absent. */
  state?: JobState;
  /** Only this queue (filtered within the label's bounded scan: no index has both). */
  queue?: string;
  /** At most this many jobs (1..1000). */
  limit: number;
  /** Continue after this job id (from the previous page's `next`). */
  after?: string;
  /** `oldest` enqueued first (default), or `newest`. */
  order?: "oldest" | "newest";
}

/**
 * One page of the jobs with a label, oldest enqueued first (or newest, a reverse walk of the same
 * index), optionally of one state and queue.
 *
 * @example
 * ```ts
 * import type { Store } from "./open.ts";
 * declare const store: Store;
 * const { jobs, next } = await listLabeled(store, { label: ["batch", "7"], limit: 50 });
 * ```
 */
export async function listLabeled(store: Store, options: LabeledListOptions): Promise<JobPage> {
  const [k, v] = options.label;
  const limit = Math.max(1, Math.min(options.limit, 1000));
  const prefix = keys.labelAll(k, v);
  const reverse = options.order === "newest";
  // The key of the last entry consumed; the walk goes on past it, either way.
  let bound: Deno.KvKey | undefined;
  if (options.after !== undefined) {
    const anchor = (await store.db.get<Job>(keys.job(options.after))).value;
    if (!anchor || anchor.labels?.[k] !== v) {
      throw new OperationError(
        `cannot continue after job "${options.after}": it is not labeled ${k}=${v}`,
      );
    }
    bound = keys.label(k, v, anchor.created_at, anchor.id);
  }
  const selector = (): Deno.KvListSelector =>
    bound === undefined
      ? { prefix }
      : reverse
      ? { prefix, end: bound }
      : { prefix, start: [...bound, ""] };
  const jobs: Job[] = [];
  let scanned = 0;
  let lastId: string | null = null;
  while (jobs.length < limit && scanned < LABEL_SCAN) {
    const filtered = options.state !== undefined || options.queue !== undefined;
    const want = filtered ? Math.min(1000, LABEL_SCAN - scanned) : limit - jobs.length;
    const page = await store.db.list<string>(selector(), { limit: want, reverse });
    if (page.length === 0) return { jobs, next: null };
    scanned += page.length;
    const found = await store.db.getMany<Job>(page.map((e) => keys.job(e.value)));
    let consumed = page[page.length - 1]!.key;
    for (const [i, e] of found.entries()) {
      const job = e.value;
      lastId = page[i]!.value;
      const kept = job && (!options.state || job.state === options.state) &&
        (options.queue === undefined || queueOf(job) === options.queue);
      if (kept) jobs.push(job);
      if (jobs.length === limit) {
        consumed = page[i]!.key;
        break;
      }
    }
    if (page.length < want && jobs.length < limit) return { jobs, next: null };
    bound = consumed;
  }
  return { jobs, next: jobs.length === limit ? jobs[jobs.length - 1]!.id : lastId };
}

/**
 * How many jobs with a label are in each state. It reads the label's index and the records,
 * a thousand at a time: the cost grows with the jobs that have the label and no others. (Per-label
 * counters would make it O(1) but cost every transition of every labeled job a write per label.)
 *
 * @example
 * ```ts
 * import type { Store } from "./open.ts";
 * declare const store: Store;
 * const counts = await countLabeled(store, ["batch", "7"]); // { pending: 3, ... }
 * ```
 */
export async function countLabeled(
  store: Store,
  label: LabelSelector,
): Promise<Record<JobState, number>> {
  const counts = Object.fromEntries(JOB_STATES.map((s) => [s, 0])) as Record<JobState, number>;
  for await (const ids of labeledIds(store, label)) {
    const found = await store.db.getMany<Job>(ids.map((id) => keys.job(id)));
    for (const e of found) if (e.value) counts[e.value.state]++;
  }
  return counts;
}

/**
 * The ids of the jobs with a label, oldest enqueued first, in groups of up to `size` (1000).
 * Each group is read after the previous one was handed over, so a caller that changes jobs
 * meanwhile still sees each id once (labels never change, so entries only go, never move).
 *
 * @example
 * ```ts
 * import type { Store } from "./open.ts";
 * declare const store: Store;
 * for await (const ids of labeledIds(store, ["batch", "7"])) console.log(ids.length);
 * ```
 */
export async function* labeledIds(
  store: Store,
  label: LabelSelector,
  size = 1000,
): AsyncGenerator<string[]> {
  const prefix = keys.labelAll(label[0], label[1]);
  let start: Deno.KvKey | undefined;
  for (;;) {
    const page = await store.db.list<string>(start ? { prefix, start } : { prefix }, {
      limit: size,
    });
    if (page.length === 0) return;
    yield page.map((e) => e.value);
    if (page.length < size) return;
    start = [...page[page.length - 1]!.key, ""];
  }
}
