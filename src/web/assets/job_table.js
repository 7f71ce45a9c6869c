// @ts-check
/// <reference lib="dom" />
/**
 * `/assets/job_table.js`: the jobs table the jobs page draws, one row a job, with an optional box
 * per row for a bulk selection (`bulk.js`).
 *
 * @module
 */

import { ago, badge, h, jobHref, since, thead, when } from "./core.js";
import { labelChips } from "./labels.js";
import { queueHref } from "./queues.js";
/** @import { bulkSelection } from "./bulk.js" */
/** @import { Job } from "./api.d.ts" */

/**
 * A table of jobs, one row each, the id linking to the job's page; with a selection, a box per
 * row and one for the page.
 *
 * @param {Job[]} jobs
 * @param {ReturnType<typeof bulkSelection>} [select]
 */
export function table(jobs, select) {
  const cols = ["ID", "State", "Queue", "Tries", "Prio", "Run at", "Updated", "Command", "Labels"];
  const head = thead([...cols, "Last error"]);
  if (select) {
    head.rows[0]?.prepend(h("th", { class: "pick" }, select.headBox(jobs.map((j) => j.id))));
  }
  return h(
    "table",
    { class: "grid jobs" },
    head,
    h(
      "tbody",
      {},
      jobs.map((j) =>
        h(
          "tr",
          { "data-job": j.id },
          select ? h("td", { class: "pick" }, select.rowBox(j.id)) : null,
          h("td", { class: "mono id" }, h("a", { href: jobHref(j.id) }, j.id)),
          h("td", {}, badge(j.state)),
          h(
            "td",
            { class: "mono", "data-queue": j.queue },
            h("a", { href: queueHref(j.queue) }, j.queue),
          ),
          h("td", { class: "num" }, j.attempts + "/" + (1 + j.max_retries)),
          h("td", { class: "num" }, String(j.priority)),
          h("td", { title: j.run_at, "data-run-at": j.run_at }, runAt(j)),
          h("td", { title: j.updated_at }, since(j.updated_at)),
          h("td", { class: "mono cmd", title: j.command }, j.command),
          h("td", {}, h("span", { class: "labels" }, labelChips(j.labels))),
          h("td", { class: "err", title: j.last_error || "" }, j.last_error || ""),
        )
      ),
    ),
  );
}

/**
 * When a job runs: how soon, while it waits for a time within two days (scheduled, failed), else
 * the time it is (or was) due.
 * @param {Job} j
 */
function runAt(j) {
  const due = Date.parse(j.run_at) - Date.now();
  const waiting = j.state === "scheduled" || j.state === "failed";
  // Within two days "in 5m" reads best; further out, the date does.
  if (waiting && due > 0 && due < 172_800_000) return "in " + ago(due);
  return when(j.run_at);
}
