// @ts-check
/// <reference lib="dom" />
/**
 * `/assets/job_list_note.js`: the line above the jobs table that says which page this is, what
 * the view holds, in which order, and, when a bounded walk stopped before the page filled, how
 * far it looked, with a button to go on.
 *
 * @module
 */

import { h } from "./core.js";
import { formatCount } from "./bulk.js";
/** @import { JobPage } from "./api.d.ts" */

/**
 * The note's nodes for a page of a list (not a search).
 *
 * @param {{
 *   data: JobPage, page: number, perPage: number, total: number | null, shown: number,
 *   scanned: number, state: string, queue: string, label: string, order: string, sort: string,
 *   onMore: () => void,
 * }} o the page as loaded (`shown`: jobs in the table; `scanned`: jobs the walk read so far)
 * @returns {(Node | string)[]}
 */
export function listNote(o) {
  const { data, total, order } = o;
  const walked = data.filtered?.index === "created";
  const pages = total === null ? null : Math.max(1, Math.ceil(total / o.perPage));
  /** @type {(Node | string)[]} */
  const out = [
    h(
      "span",
      { id: "page-of" },
      "Page " + formatCount(o.page + 1) + (pages === null ? "" : " of " + formatCount(pages)),
    ),
    total === null ? "" : " · " + formatCount(total) + " job(s)",
    (o.state ? " · " + o.state : "") + (o.queue ? " in queue " + o.queue : "") +
    (o.label ? " · labeled " + o.label + ", " + order + " enqueued first" : "") +
    (data.filtered && !walked
      ? " (filtered within a bounded scan of the " + data.filtered.index + " index)"
      : "") +
    (o.label
      ? ""
      : o.sort === "changed"
      ? " · " + (order === "newest" ? "latest" : "earliest") + " change first"
      : " · " + order + " created first") +
    ".",
  ];
  if (data.partial && data.next_cursor) {
    out.push(h(
      "span",
      { id: "walk-note" },
      " Searched the " + (walked
        ? order + " " + formatCount(o.scanned) + " jobs"
        : formatCount(o.scanned) + " " + o.state + " jobs that changed " +
          (order === "newest" ? "last" : "first")) +
        ": " + formatCount(o.shown) + " in this view so far. ",
      h(
        "button",
        { class: "btn small", type: "button", id: "walk-more", onclick: o.onMore },
        "More…",
      ),
    ));
  }
  return out;
}
