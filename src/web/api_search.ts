/**
 * The jobs search of the JSON API (`GET /api/jobs?q=`): by id, label or command in one request,
 * bounded in time.
 *
 * @module
 */
import type { JobState } from "../job.ts";
import { jobJson } from "../json_view.ts";
import { parseLabel } from "../labels.ts";
import { type LabelSelector, listLabeled, searchJobs } from "../store/mod.ts";
import { json } from "./response.ts";
import type { RouteContext } from "./router.ts";

/** How many jobs one search call looks at, at most, before it stops and offers to go on. */
export const SEARCH_SCAN = 10_000;

/** How long one search call scans before it answers with what it found (`partial`). */
export const SEARCH_BUDGET_MS = 1000;

/** A search text shaped like `k=v`, read as a label; anything else is null. */
function labelShaped(text: string): LabelSelector | null {
  if (!/^[^=\s]+=\S/.test(text)) return null;
  try {
    return parseLabel(text);
  } catch {
    return null;
  }
}

/**
 * A search by id, label or command in one request, bounded in time: a `k=v` text lists that
 * label's jobs through its index; an id is looked up, and ids starting with the text read as one
 * range; command (and id) substrings are a scan of at most SEARCH_SCAN jobs or SEARCH_BUDGET_MS,
 * whichever ends first. `partial: true` says the scan stopped before the end of the index.
 *
 * @example
 * ```ts
 * import type { RouteContext } from "./router.ts";
 * declare const ctx: RouteContext;
 * const res = await search(ctx, { text: "backup", limit: 50, order: "newest" });
 * ```
 */
export async function search(
  ctx: RouteContext,
  o: {
    text: string;
    state?: JobState;
    queue?: string;
    label?: LabelSelector;
    limit: number;
    cursor?: string;
    order: "oldest" | "newest";
  },
): Promise<Response> {
  const asLabel = o.label ?? labelShaped(o.text);
  if (asLabel) {
    // Within a label: its index, the text (unless it is the label) matched on id and command.
    const page = await listLabeled(ctx.store, {
      label: asLabel,
      state: o.state,
      queue: o.queue,
      limit: o.label ? 1000 : o.limit,
      after: o.cursor,
      order: o.order,
    });
    const needle = o.label ? o.text.toLowerCase() : "";
    const found = page.jobs.filter((j) =>
      j.id.toLowerCase().includes(needle) || j.command.toLowerCase().includes(needle)
    ).slice(0, o.limit);
    return json({
      jobs: found.map(jobJson),
      next_cursor: page.next,
      search: {
        scanned: page.jobs.length,
        complete: page.next === null,
        partial: page.next !== null,
        by: "label",
      },
    });
  }
  const found = await searchJobs(ctx.store, {
    text: o.text,
    state: o.state,
    queue: o.queue,
    limit: o.limit,
    cursor: o.cursor,
    order: o.order,
    scan: SEARCH_SCAN,
    budgetMs: SEARCH_BUDGET_MS,
  });
  return json({
    jobs: found.jobs.map(jobJson),
    next_cursor: found.cursor,
    search: {
      scanned: found.scanned,
      complete: found.cursor === null,
      partial: found.cursor !== null,
      by: "id and command",
    },
  });
}
