// @ts-check
/// <reference lib="dom" />
/**
 * `/assets/overview_workers.js`: the overview's workers panel, each worker with the jobs its
 * slots run (as links), its heartbeat, and what it finished in the last hour.
 *
 * @module
 */

import { ago, fill, h, jobHref, thead } from "./core.js";
import { num } from "./format.js";
/** @import { Metrics, WorkerView } from "./api.d.ts" */
/** @typedef {Metrics["workers"][number]} Tally one worker's finished attempts in the hour */

/**
 * Draws the workers table into `box`, or how to start some when none runs.
 *
 * @param {HTMLElement} box
 * @param {WorkerView[]} workers
 * @param {Tally[]} hour
 */
export function renderWorkers(box, workers, hour) {
  const done = new Map(hour.map((x) => [x.worker, x]));
  if (!workers.length) {
    fill(
      box,
      h(
        "p",
        { class: "muted" },
        "No workers running. Start some with: queuectl worker start --count 2",
      ),
    );
    return;
  }
  fill(
    box,
    h(
      "table",
      { class: "grid" },
      thead(["Worker", "Host", "State", "Current job", "Heartbeat", "Done", "Last hour"]),
      h(
        "tbody",
        {},
        workers.map((w) =>
          h(
            "tr",
            { "data-worker": w.id },
            h("td", { class: "mono" }, w.id),
            h("td", {}, w.host),
            h("td", {}, h("span", { class: "badge w-" + w.state }, w.state)),
            h("td", { class: "mono" }, jobLinks(w)),
            h(
              "td",
              { class: w.heartbeat_age_ms > 5000 ? "warn" : "" },
              ago(w.heartbeat_age_ms) + " ago",
            ),
            h("td", { class: "num" }, num(w.processed)),
            h(
              "td",
              { class: "num" },
              done.has(w.id)
                ? num(/** @type {Tally} */ (done.get(w.id)).completed) + " ok · " +
                  num(/** @type {Tally} */ (done.get(w.id)).failed) + " failed"
                : "-",
            ),
          )
        ),
      ),
    ),
  );
}

/**
 * A worker's running jobs as links, comma-separated (older servers list one `job`).
 *
 * @param {WorkerView} w
 * @returns {(Node | string)[]}
 */
function jobLinks(w) {
  const ids = w.jobs ?? (w.job ? [w.job] : []);
  if (ids.length === 0) return ["-"];
  return ids.flatMap((id, i) => [...(i > 0 ? [", "] : []), h("a", { href: jobHref(id) }, id)]);
}
