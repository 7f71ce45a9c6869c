// @ts-check
/// <reference lib="dom" />
/**
 * `/assets/labels.js`: a job's labels as chips and its dependencies as links, shared by the jobs
 * table and the job page (kept apart so neither module outgrows one screenful of reading).
 *
 * @module
 */

import { h, jobHref, qs } from "./core.js";

/**
 * A job's labels as `k=v` chips, each a link to the jobs it selects: the label filter is an index
 * read, so following a chip stays cheap however large the queue.
 *
 * @param {Record<string, string> | undefined} labels `undefined` for records from before labels
 * @returns {HTMLElement[]}
 */
export function labelChips(labels) {
  return Object.entries(labels || {}).map(([k, v]) =>
    h("a", { class: "chip mono", href: "#/jobs" + qs({ label: k + "=" + v }) }, k + "=" + v)
  );
}

/**
 * Job ids as links to their pages, separated by spaces.
 *
 * @param {string[]} ids
 * @returns {(HTMLElement | string)[]}
 */
export function jobLinks(ids) {
  return ids.flatMap((id, i) => [i ? " " : "", h("a", { class: "mono", href: jobHref(id) }, id)]);
}
