/**
 * Which jobs a bulk command acts on: explicit ids, or selectors (a state, a label, every job),
 * read in groups through an index so that nothing is scanned that the selectors exclude.
 *
 * @module
 */
import type { Job, JobState } from "../job.ts";
import { assertLookupId } from "../ids.ts";
import { queueOf } from "../queue.ts";
import { keys } from "./keys.ts";
import { labeledIds, type LabelSelector } from "./label_query.ts";
import type { Store } from "./open.ts";

/**
 * The jobs a bulk command selects: `ids`, or `state` and/or `label`, or `all`.
 *
 * @example
 * ```ts
 * const byIds: Selection = { ids: ["a1", "a2"] };
 * const scheduledOfBatch: Selection = { state: "scheduled", label: ["batch", "7"] };
 * ```
 */
export interface Selection {
  /** These jobs; one that does not exist is reported, not an error. */
  ids?: readonly string[];
  /** Only jobs in this state. */
  state?: JobState;
  /** Only jobs with this label. */
  label?: LabelSelector;
  /**
   * Only jobs of this queue. Pending ones are read from the queue's own `ready` entries; in
   * other states the state's listing (or the label's index) is read and filtered.
   */
  queue?: string;
  /** Every job (the other fields left out). */
  all?: boolean;
}

/**
 * Whether a job read for `selection` is one it selects: a label walk reads jobs of every state,
 * and a job may have left the listed state between the listing and the read.
 *
 * @example
 * ```ts
 * import type { Job } from "../job.ts";
 * declare const job: Job;
 * selects({ state: "scheduled" }, job); // job.state === "scheduled"
 * ```
 */
export function selects(selection: Selection, job: Job): boolean {
  if (selection.ids !== undefined) return true;
  return (selection.state === undefined || job.state === selection.state) &&
    (selection.queue === undefined || queueOf(job) === selection.queue);
}

/**
 * The ids `selection` names, in groups of up to 1,000: explicit ids as given; a label through
 * its index (oldest enqueued first); a state through its listing; every job by id. Each group
 * is read after the previous one was handed over and resumes after its last key, so jobs that
 * the caller moves out of the listing meanwhile are neither seen twice nor skipped.
 *
 * @example
 * ```ts
 * import type { Store } from "./open.ts";
 * declare const store: Store;
 * for await (const ids of selectedIds(store, { state: "scheduled" })) console.log(ids.length);
 * ```
 */
export async function* selectedIds(
  store: Store,
  selection: Selection,
): AsyncGenerator<string[]> {
  if (selection.ids) {
    for (let i = 0; i < selection.ids.length; i += 1000) {
      yield selection.ids.slice(i, i + 1000).map(assertLookupId);
    }
    return;
  }
  if (selection.label) return yield* labeledIds(store, selection.label);
  const prefix = selection.state === "pending" && selection.queue !== undefined
    ? keys.readyIn(selection.queue)
    : selection.state
    ? keys.listing(selection.state)
    : keys.jobs;
  let start: Deno.KvKey | undefined;
  for (;;) {
    const page = await store.db.list<string | Job>(start ? { prefix, start } : { prefix }, {
      limit: 1000,
    });
    if (page.length === 0) return;
    yield page.map((e) => typeof e.value === "string" ? e.value : e.value.id);
    if (page.length < 1000) return;
    start = [...page[page.length - 1]!.key, ""];
  }
}
