/**
 * `GET /api/jobs`: pages of jobs filtered by state, queue and label together, sorted by creation
 * time (`sort=created`, the default) or, within a state, by latest transition (`sort=changed`),
 * and the search (`q`, see `api_search.ts`). Jobs use the CLI's `--json` form.
 *
 * @module
 */
import { UsageError } from "../errors.ts";
import type { JobState } from "../job.ts";
import { jobJson } from "../json_view.ts";
import { parseLabel } from "../labels.ts";
import { assertQueueName } from "../queue.ts";
import {
  countJobs,
  LABEL_SCAN,
  type LabelSelector,
  listLabeled,
  pageCreatedView,
  pageJobs,
  readQueueCounts,
  scanListing,
} from "../store/mod.ts";
import { search, SEARCH_BUDGET_MS } from "./api_search.ts";
import { choiceParam, intParam, queryOf, stateParam, textParam } from "./params.ts";
import { json } from "./response.ts";
import type { RouteContext } from "./router.ts";

/** The longest search text: longer is surely a mistake, and bounds each job's match cost. */
export const MAX_SEARCH_CHARS = 1000;

/**
 * The orders a list can be sorted in: by creation time (every view), or by latest transition
 * (a state's own index).
 */
export const SORTS = ["created", "changed"] as const;

/** The `label=k=v` parameter, or undefined when absent or empty. */
function labelParam(text: string | null): LabelSelector | undefined {
  return text ? parseLabel(text) : undefined;
}

/** How many jobs a filter holds when the counters say so (no label, no search), else null. */
async function totalOf(
  ctx: RouteContext,
  filter: { state?: JobState; queue?: string },
): Promise<number | null> {
  const counts = filter.queue === undefined
    ? await countJobs(ctx.store)
    : (await readQueueCounts(ctx.store)).get(filter.queue);
  if (!counts) return 0;
  return filter.state ? counts[filter.state] : Object.values(counts).reduce((a, b) => a + b, 0);
}

/**
 * The jobs list: a search when `q` is given; else a label's index (already in creation order);
 * else by creation time through `pageCreatedView` (a filtered walk says `partial` when its budget
 * ended before the page filled), or, with `sort=changed`, the state's index.
 *
 * @example
 * ```ts
 * import type { RouteContext } from "./router.ts";
 * declare const ctx: RouteContext;
 * const res = await listJobsRoute(ctx); // GET /api/jobs?state=dead&sort=created&order=newest
 * ```
 */
export async function listJobsRoute(ctx: RouteContext): Promise<Response> {
  const q = queryOf(ctx.url, ["state", "limit", "cursor", "order", "q", "label", "queue", "sort"]);
  const state = stateParam(q.get("state"));
  const limit = intParam("limit", q.get("limit"), { min: 1, max: 1000, fallback: 50 });
  const cursor = q.get("cursor") || undefined;
  const order = choiceParam("order", q.get("order"), ["oldest", "newest"] as const);
  const sort = choiceParam("sort", q.get("sort"), SORTS);
  const text = textParam("q", q.get("q"), MAX_SEARCH_CHARS);
  const label = labelParam(q.get("label"));
  const queue = q.get("queue") ? assertQueueName(q.get("queue")) : undefined;
  if (sort === "changed" && (state === undefined || label !== undefined)) {
    throw new UsageError(
      "sort=changed lists one state's index by latest transition: give a state and no label",
    );
  }
  if (text !== "") return await search(ctx, { text, state, queue, label, limit, cursor, order });
  if (label) {
    // State and queue are filtered within the label's index walk (bounded: LABEL_SCAN entries
    // per call), which the answer says, since a page may then come back short.
    const page = await listLabeled(ctx.store, {
      label,
      state,
      queue,
      limit,
      after: cursor,
      order,
    });
    const filtered = state !== undefined || queue !== undefined;
    return json({
      jobs: page.jobs.map(jobJson),
      next_cursor: page.next,
      total: null,
      sort,
      ...(filtered ? { filtered: { index: "label", bounded_scan: LABEL_SCAN } } : {}),
    });
  }
  // A read that may have to walk: within LABEL_SCAN jobs or SEARCH_BUDGET_MS a request.
  const bounded = {
    state,
    queue,
    limit,
    cursor,
    order,
    scan: LABEL_SCAN,
    budgetMs: SEARCH_BUDGET_MS,
  };
  if (sort === "created") {
    // Every view by creation time; one the creation order does not hold on its own is walked
    // newest (or oldest) first and filtered within LABEL_SCAN jobs or SEARCH_BUDGET_MS.
    const page = await pageCreatedView(ctx.store, bounded);
    const walked = page.plan === "walk";
    return json({
      jobs: page.jobs.map(jobJson),
      next_cursor: page.cursor,
      total: await totalOf(ctx, { state, queue }),
      sort,
      // How it was read: "index" (an order some index has), "sorted" (a small state read whole
      // and sorted) or "walk" (the bounded creation walk).
      read: page.plan,
      ...(walked
        ? {
          filtered: { index: "created", bounded_scan: LABEL_SCAN },
          scanned: page.scanned,
          partial: page.partial,
        }
        : {}),
    });
  }
  if (queue !== undefined) {
    // A state of one queue by transition: pending jobs through the queue's own keys, any other
    // state its listing filtered by queue within LABEL_SCAN entries or SEARCH_BUDGET_MS.
    const page = await scanListing(ctx.store, bounded);
    return json({
      jobs: page.jobs.map(jobJson),
      next_cursor: page.cursor,
      total: await totalOf(ctx, { state, queue }),
      sort,
      ...(state === "pending" ? {} : {
        filtered: { index: "state", bounded_scan: LABEL_SCAN },
        scanned: page.scanned,
        partial: page.cursor !== null && page.jobs.length < limit,
      }),
    });
  }
  const page = await pageJobs(ctx.store, { state, limit, cursor, order });
  return json({
    jobs: page.jobs.map(jobJson),
    next_cursor: page.cursor,
    total: await totalOf(ctx, { state }),
    sort,
  });
}
