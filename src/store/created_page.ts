/**
 * Paging every job by creation time, newest or oldest first, whatever ids users picked. Two
 * walks are merged: the `job` keys of generated ids (ULIDs of their creation time, so their key
 * order is creation order, at no cost to the enqueue) and the `created` index, which holds the
 * jobs whose id does not sort by time. Both are ordered by (created_at, id), so one cursor
 * position `[created_at, id]` continues both.
 *
 * @module
 */
import { UsageError } from "../errors.ts";
import { idTimePrefix, inCreationOrder } from "../ids.ts";
import type { Job } from "../job.ts";
import { keys } from "./keys.ts";
import type { Store } from "./open.ts";
import { decodeCursor, encodeCursor, type PageOrder } from "./page.ts";

/** A job's place in creation order: `[created_at, id]`. */
export type Place = [number, string];

/**
 * Whether place `a` comes before `b` in creation order (pure).
 *
 * @example
 * ```ts
 * before([1, "b"], [2, "a"]); // true
 * ```
 */
export function before(a: Place, b: Place): boolean {
  return a[0] < b[0] || (a[0] === b[0] && a[1] < b[1]);
}

/**
 * The place a creation-order cursor names; anything else is a UsageError (pure). Every view
 * sorted by creation time shares this cursor, so a page may continue through another path.
 *
 * @example
 * ```ts
 * import { encodeCursor } from "./page.ts";
 * placeOf(encodeCursor([5, "a1"])); // [5, "a1"]
 * ```
 */
export function placeOf(cursor: string): Place {
  const p = decodeCursor(cursor);
  if (p.length !== 2 || typeof p[0] !== "number" || typeof p[1] !== "string") {
    throw new UsageError(`invalid cursor ${JSON.stringify(cursor.slice(0, 40))}`);
  }
  return [p[0], p[1]];
}

/**
 * The id string that splits generated ids around a place (pure): every generated id whose job
 * comes before `[t, id]` in creation order sorts below it, every other at or above it. Ids of a
 * millisecond share its time prefix, so within one they compare as whole strings, as the index
 * does.
 *
 * @example
 * ```ts
 * import { idTimePrefix } from "../ids.ts";
 * idSplit([5, "zzz"]) === idTimePrefix(6); // true: every id made at 5 ms comes before
 * ```
 */
export function idSplit(place: Place): string {
  const [t, id] = place;
  const low = idTimePrefix(t);
  const high = idTimePrefix(t + 1);
  return id < low ? low : id > high ? high : id;
}

/**
 * One page of all jobs by creation time. `cursor` is a previous page's; its position is the
 * last job's `[created_at, id]`.
 *
 * @example
 * ```ts
 * import type { Store } from "./open.ts";
 * declare const store: Store;
 * const page = await pageByCreation(store, { limit: 50, order: "newest" });
 * ```
 */
export async function pageByCreation(
  store: Store,
  options: { limit: number; cursor?: string; order: PageOrder },
): Promise<{ jobs: Job[]; cursor: string | null }> {
  const { limit } = options;
  const reverse = options.order === "newest";
  const place = options.cursor === undefined ? undefined : placeOf(options.cursor);
  const [picked, generated] = await Promise.all([
    pickedIds(store, place, limit, reverse),
    generatedIds(store, place, limit, reverse),
  ]);
  const merged = [...picked.jobs, ...generated.jobs].sort((a, b) => {
    const first = before([a.created_at, a.id], [b.created_at, b.id]);
    return (first ? -1 : 1) * (reverse ? -1 : 1);
  });
  const jobs = merged.slice(0, limit);
  const last = jobs[jobs.length - 1];
  // A full page may be followed by more; a short one means both walks ended.
  const more = jobs.length === limit || picked.more || generated.more;
  return { jobs, cursor: more && last ? encodeCursor([last.created_at, last.id]) : null };
}

/** The jobs of the `created` index past `place`, at most `limit`. */
async function pickedIds(
  store: Store,
  place: Place | undefined,
  limit: number,
  reverse: boolean,
): Promise<{ jobs: Job[]; more: boolean }> {
  const prefix = keys.createdAll;
  const bound = place ? keys.created(place[0], place[1]) : undefined;
  const selector: Deno.KvListSelector = bound === undefined
    ? { prefix }
    : reverse
    ? { prefix, end: bound }
    : { prefix, start: [...bound, ""] };
  const entries = await store.db.list<string>(selector, { limit, reverse });
  const found = await store.db.getMany<Job>(entries.map((e) => keys.job(e.value)));
  return { jobs: found.flatMap((e) => (e.value ? [e.value] : [])), more: false };
}

/**
 * The jobs with generated ids past `place`, at least `limit` unless the walk ends, from the `job`
 * keys that can start with a time part (first character 0-7). Other jobs met there (ids a user picked that start
 * with a digit) are the `created` index's and are skipped; only those cost reads beyond a page.
 */
async function generatedIds(
  store: Store,
  place: Place | undefined,
  limit: number,
  reverse: boolean,
): Promise<{ jobs: Job[]; more: boolean }> {
  const split = place ? idSplit(place) : undefined;
  let start: Deno.KvKey = split && !reverse ? [...keys.job(split), ""] : keys.job("0");
  let end: Deno.KvKey = split && reverse ? keys.job(split) : keys.job("8");
  const jobs: Job[] = [];
  for (;;) {
    const want = Math.min(1000, limit - jobs.length);
    const page = await store.db.list<Job>({ start, end }, { limit: want, reverse });
    for (const e of page) {
      if (inCreationOrder(e.value.id, e.value.created_at)) jobs.push(e.value);
    }
    if (page.length < want) return { jobs, more: false };
    if (jobs.length >= limit) return { jobs, more: true };
    const lastKey = page[page.length - 1]!.key;
    if (reverse) end = lastKey;
    else start = [...lastKey, ""];
  }
}
