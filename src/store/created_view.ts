/**
 * Any view of jobs (all, one state, one queue, or both) by creation time, through the cheapest
 * exact way there is: the creation walk for all jobs, a small state read whole and sorted, else
 * the creation walk filtered within a budget (see `created_walk.ts`). All three share one cursor
 * (`[created_at, id]`), so paging goes on even when a state grows past the small size meanwhile.
 *
 * @module
 */
import type { Job, JobState } from "../job.ts";
import { pageByCreation } from "./created_page.ts";
import { walkByCreation } from "./created_walk.ts";
import type { Store } from "./open.ts";
import type { BoundedRead } from "./page.ts";
import { countJobs } from "./query.ts";
import { pageStateByCreation, SMALL_STATE } from "./state_created.ts";

/**
 * How a view by creation time is read: `index` (the creation walk, no filter), `sorted` (a small
 * state read whole and sorted in memory) or `walk` (the creation walk filtered within a budget).
 */
export type CreatedPlan = "index" | "sorted" | "walk";

/**
 * How to read a view by creation time (pure). `stateCount` is the state's counter, when the view
 * has a state.
 *
 * @example
 * ```ts
 * createdPlan({ state: "dead", stateCount: 40 }); // "sorted"
 * createdPlan({ queue: "mail" }); // "walk"
 * ```
 */
export function createdPlan(
  view: { state?: JobState; queue?: string; stateCount?: number },
): CreatedPlan {
  if (view.state === undefined) return view.queue === undefined ? "index" : "walk";
  return (view.stateCount ?? Infinity) <= SMALL_STATE ? "sorted" : "walk";
}

/** Options of {@linkcode pageCreatedView}. */
export interface CreatedViewOptions extends BoundedRead {
  /** Only this state. */
  state?: JobState;
  /** Only this queue. */
  queue?: string;
}

/** A page of a view by creation time, and how it was read. */
export interface CreatedViewPage {
  /** The jobs, in creation order. */
  jobs: Job[];
  /** Where the next page starts, or null at the end. */
  cursor: string | null;
  /** How the page was read. */
  plan: CreatedPlan;
  /** With `walk`: how many jobs it read. */
  scanned?: number;
  /** With `walk`: true when the budget ended before the page filled. */
  partial: boolean;
}

/**
 * One page of a view by creation time, read the cheapest exact way (see {@linkcode createdPlan}).
 *
 * @example
 * ```ts
 * import type { Store } from "./open.ts";
 * declare const store: Store;
 * const page = await pageCreatedView(store, {
 *   state: "completed",
 *   limit: 50,
 *   order: "newest",
 *   scan: 5000,
 *   budgetMs: 1000,
 * });
 * ```
 */
export async function pageCreatedView(
  store: Store,
  options: CreatedViewOptions,
): Promise<CreatedViewPage> {
  const { state, queue, limit, cursor, order } = options;
  const stateCount = state === undefined ? undefined : (await countJobs(store))[state];
  const plan = createdPlan({ state, queue, stateCount });
  if (plan === "index") {
    return { ...await pageByCreation(store, { limit, cursor, order }), plan, partial: false };
  }
  if (plan === "sorted") {
    const page = await pageStateByCreation(store, { state: state!, queue, limit, cursor, order });
    return { ...page, plan, partial: false };
  }
  return { ...await walkByCreation(store, options), plan };
}
