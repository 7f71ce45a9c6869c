/**
 * Paging jobs by an opaque cursor that names a position in an index, not a job, so a page can
 * be continued even after the job it ended on moved to another state (the dashboard pages a
 * live queue; `listJobs`'s `after` refuses that case for the CLI).
 *
 * @module
 */
import type { Job, JobState } from "../job.ts";
import { UsageError } from "../errors.ts";
import { keys } from "./keys.ts";
import type { Store } from "./open.ts";

/** Which end of an index a page starts from. */
export type PageOrder = "oldest" | "newest";

/** How far one call of a bounded read of an index may go, and where it goes on from. */
export interface BoundedRead {
  /** At most this many jobs (1..1000). */
  limit: number;
  /** Go on from a previous call's cursor. */
  cursor?: string;
  /** `newest` first, or `oldest`. */
  order: PageOrder;
  /** Read at most this many entries in this call. */
  scan: number;
  /** Stop after this many milliseconds (checked between batches). Default: none. */
  budgetMs?: number;
  /** The clock the budget is measured on. Default `Date.now`. */
  clock?: () => number;
}

/** Options of {@linkcode pageJobs}. */
export interface PageOptions {
  /** Only this state (through its index); all jobs by id when absent. */
  state?: JobState;
  /** At most this many jobs (1..1000). */
  limit: number;
  /** Continue after this position (a previous page's `cursor`). */
  cursor?: string;
  /** `oldest` (default: index order) or `newest` first. */
  order?: PageOrder;
}

/** One page of jobs and where the next one starts. */
export interface CursorPage {
  /** The jobs, in the order asked for. */
  jobs: Job[];
  /** Pass as `cursor` for the next page, or null when this one reached the end. */
  cursor: string | null;
}

/** Where an index walk stands: the last key part(s) after the index prefix. */
type Position = (string | number)[];

/**
 * The longest cursor accepted, in characters. The longest real one (a pending job's priority,
 * ULID and 128-character id) is about 230; the cap keeps a forged cursor's key far below KV's
 * 2,048-byte key limit, so it is refused here instead of failing inside KV.
 */
export const MAX_CURSOR_CHARS = 512;

/**
 * Encodes an index position as an opaque URL-safe cursor (pure).
 *
 * @example
 * ```ts
 * decodeCursor(encodeCursor(["01J0", "a1"])); // ["01J0", "a1"]
 * ```
 */
export function encodeCursor(position: Position): string {
  const bytes = new TextEncoder().encode(JSON.stringify(position));
  return btoa(String.fromCharCode(...bytes)).replace(/\+/g, "-").replace(/\//g, "_")
    .replace(/=+$/, "");
}

/**
 * Decodes a cursor made by {@linkcode encodeCursor}; anything else is a UsageError (pure).
 *
 * @example
 * ```ts
 * decodeCursor("bogus"); // throws UsageError
 * ```
 */
export function decodeCursor(cursor: string): Position {
  if (cursor.length > MAX_CURSOR_CHARS) {
    throw new UsageError(
      `invalid cursor: ${cursor.length} characters, at most ${MAX_CURSOR_CHARS} (pass back ` +
        "next_cursor as it was given)",
    );
  }
  const fail = () => new UsageError(`invalid cursor ${JSON.stringify(cursor.slice(0, 40))}`);
  let value: unknown;
  try {
    const bin = atob(cursor.replace(/-/g, "+").replace(/_/g, "/"));
    value = JSON.parse(new TextDecoder().decode(Uint8Array.from(bin, (c) => c.charCodeAt(0))));
  } catch {
    throw fail();
  }
  // Up to four parts: the `ready` listing of pending jobs is `[queue, -priority, seq, id]`.
  const ok = Array.isArray(value) && value.length >= 1 && value.length <= 4 &&
    value.every((v) => typeof v === "string" || Number.isFinite(v));
  if (!ok) throw fail();
  return value as Position;
}

/**
 * The index a page walks, and how a position inside it maps to a key: a state's listing (pending
 * jobs of one queue: that queue's own `ready` keys), or every job by id.
 */
export function indexOf(state: JobState | undefined, queue?: string): {
  prefix: Deno.KvKey;
  keyAt: (p: Position) => Deno.KvKey;
  positionOf: (key: Deno.KvKey) => Position;
} {
  if (state) {
    const prefix = state === "pending" && queue !== undefined
      ? keys.readyIn(queue)
      : keys.listing(state);
    return {
      prefix,
      keyAt: (p) => [...prefix, ...p],
      positionOf: (key) => key.slice(prefix.length) as Position,
    };
  }
  return {
    prefix: keys.jobs,
    keyAt: (p) => [...keys.jobs, ...p],
    positionOf: (key) => key.slice(keys.jobs.length) as Position,
  };
}

/**
 * The list selector for the entries after `cursor` in `order` (pure). Forward, the start is
 * just past the cursor's key; backward, the cursor's key is the exclusive end.
 */
export function selectorAfter(
  index: ReturnType<typeof indexOf>,
  cursor: string | undefined,
  order: PageOrder,
): Deno.KvListSelector {
  if (cursor === undefined) return { prefix: index.prefix };
  const key = index.keyAt(decodeCursor(cursor));
  return order === "newest"
    ? { prefix: index.prefix, end: key }
    : { prefix: index.prefix, start: [...key, ""] };
}

/**
 * One page of jobs, optionally of one state, from either end of its index. With a state the
 * walk reads only that state's index (and the page's records), so it costs the same with 100k
 * jobs as with ten. A job that changed state between the index read and the record read is
 * left out of the page.
 *
 * @example
 * ```ts
 * import type { Store } from "./open.ts";
 * declare const store: Store;
 * const first = await pageJobs(store, { state: "completed", limit: 50, order: "newest" });
 * const second = await pageJobs(store, { state: "completed", limit: 50, order: "newest",
 *   cursor: first.cursor ?? undefined });
 * ```
 */
export async function pageJobs(store: Store, options: PageOptions): Promise<CursorPage> {
  const limit = Math.max(1, Math.min(Math.floor(options.limit), 1000));
  const order = options.order ?? "oldest";
  const index = indexOf(options.state);
  const selector = selectorAfter(index, options.cursor, order);
  const reverse = order === "newest";
  if (!options.state) {
    const entries = await store.db.list<Job>(selector, { limit, reverse });
    const last = entries[entries.length - 1];
    return {
      jobs: entries.map((e) => e.value),
      cursor: entries.length === limit && last ? encodeCursor(index.positionOf(last.key)) : null,
    };
  }
  const entries = await store.db.list<string>(selector, { limit, reverse });
  const found = await store.db.getMany<Job>(entries.map((e) => keys.job(e.value)));
  const jobs = found.flatMap((e) => (e.value && e.value.state === options.state ? [e.value] : []));
  const last = entries[entries.length - 1];
  return {
    jobs,
    cursor: entries.length === limit && last ? encodeCursor(index.positionOf(last.key)) : null,
  };
}
