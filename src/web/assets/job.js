// @ts-check
/// <reference lib="dom" />
/**
 * `/assets/job.js`: one job: its spec, its actions, its attempt history, and its output (the
 * panel of `job_output.js`).
 *
 * @module
 */

import { act, api, badge, confirmButton, fill, h, seconds, since, thead, when } from "./core.js";
import { jobLinks, labelChips } from "./labels.js";
import { queueHref } from "./queues.js";
import { outputPanel } from "./job_output.js";
/** @import { View } from "./core.js" */
/** @import { Job, JobDetail } from "./api.d.ts" */

const FINAL = ["completed", "dead", "canceled"];

/**
 * The job page (`#/job/<id>`).
 *
 * @param {string} id
 * @returns {View}
 */
export function jobView(id) {
  const head = h("div", { class: "panel-head" });
  const spec = h("dl", { class: "spec" });
  const history = h("div", { class: "table-wrap" });
  const output = outputPanel();
  const el = h(
    "div",
    { class: "stack" },
    h("section", { class: "panel" }, head, spec),
    h("section", { class: "panel" }, h("h2", {}, "Attempts"), history),
    output.el,
  );

  /** @type {JobDetail | null} */
  let job = null;
  let lastKey = "";
  const refreshSoon = () => dispatchEvent(new Event("queuectl:refresh"));

  /** @param {Job} j */
  function actions(j) {
    const out = [];
    const path = "/api/jobs/" + encodeURIComponent(j.id);
    if (!FINAL.includes(j.state) && !j.cancel_requested) {
      out.push(
        h("button", {
          class: "btn",
          type: "button",
          id: "cancel",
          onclick: (e) =>
            act(
              /** @type {HTMLButtonElement} */ (e.target),
              () => api.post(path + "/cancel"),
              (r) => r.state === "canceled" ? "canceled" : "cancel requested: its worker stops it",
            ).then(refreshSoon),
        }, "Cancel"),
      );
    }
    // Any final job re-runs with fresh attempts (its history is kept), as `queuectl retry` does.
    if (FINAL.includes(j.state)) {
      out.push(
        h("button", {
          class: "btn primary",
          type: "button",
          id: "retry",
          onclick: (e) =>
            act(
              /** @type {HTMLButtonElement} */ (e.target),
              () => api.post(path + "/retry"),
              "requeued",
            ).then(refreshSoon),
        }, j.state === "dead" ? "Retry" : "Re-run"),
      );
    }
    if (FINAL.includes(j.state)) {
      out.push(
        confirmButton(
          "Delete",
          "Really delete?",
          (b) =>
            act(b, () => api.del(path), "deleted").then(() => {
              location.hash = "#/jobs";
            }),
          { id: "delete" },
        ),
      );
    }
    return out;
  }

  /** @param {JobDetail} j */
  function drawJob(j) {
    const key = JSON.stringify(j);
    if (key === lastKey) return;
    lastKey = key;
    fill(
      head,
      h("h1", { class: "mono" }, j.id),
      badge(j.state),
      j.cancel_requested && j.state === "processing"
        ? h("span", { class: "muted" }, "cancel requested")
        : null,
      h("div", { class: "actions" }, actions(j)),
    );
    /**
     * @param {string} k
     * @param {Node | string | null | undefined} v `-` when empty
     * @param {string} [cls]
     */
    const row = (k, v, cls) => [
      h("dt", {}, k),
      h("dd", { class: cls || "" }, v === null || v === undefined || v === "" ? "-" : v),
    ];
    fill(
      spec,
      row("command", h("code", { class: "cmd-full" }, j.command), "wide"),
      row(
        "queue",
        h("a", { href: queueHref(j.queue), "data-queue": j.queue }, j.queue),
        "mono wide",
      ),
      row(
        "attempts",
        j.attempts + " of " + (1 + j.max_retries) +
          (j.runs !== j.attempts ? " (" + j.runs + " over its life)" : ""),
      ),
      row("priority", String(j.priority)),
      row("timeout", j.timeout === null ? "none" : j.timeout + " s"),
      row("run at", when(j.run_at)),
      row("created", when(j.created_at) + " (" + since(j.created_at) + ")"),
      row("started", when(j.started_at)),
      row("finished", when(j.finished_at)),
      row("exit code", j.exit_code === null ? null : String(j.exit_code)),
      row("last error", j.last_error, j.last_error ? "err wide" : "wide"),
      row("worker", j.worker, "mono wide"),
      row("folder", j.cwd === null ? "the worker's own" : j.cwd, "mono wide"),
      // Names only: the API never sends a variable's value, and neither does this page.
      row(
        "env",
        j.env_names === null ? "missing from the database" : j.env_names.join(" "),
        "mono wide",
      ),
      row("labels", h("span", { class: "labels" }, labelChips(j.labels)), "wide"),
      j.after ? row("after", h("span", {}, jobLinks(j.after)), "wide") : null,
      j.blocked_on ? row("blocked on", j.blocked_on + " unfinished job(s)") : null,
    );
    fill(
      history,
      j.history.length === 0 ? h("p", { class: "muted" }, "Not run yet.") : h(
        "table",
        { class: "grid" },
        thead(["#", "Started", "Duration", "Outcome", "Exit", "Worker", "Error"]),
        h(
          "tbody",
          {},
          j.history.slice().reverse().map((a) =>
            h(
              "tr",
              {},
              h("td", { class: "num" }, String(a.n)),
              h("td", {}, when(a.started_at)),
              h(
                "td",
                { class: "num" },
                a.duration_ms === null ? "running" : seconds(a.duration_ms),
              ),
              h(
                "td",
                {},
                h(
                  "span",
                  { class: "badge o-" + (a.outcome || "running") },
                  a.outcome || "running",
                ),
              ),
              h(
                "td",
                { class: "num" },
                a.exit_code === null ? (a.signal || "-") : String(a.exit_code),
              ),
              h("td", { class: "mono" }, a.worker),
              h("td", { class: "err" }, a.error || ""),
            )
          ),
        ),
      ),
    );
    output.attempts(j.history.map((a) => a.n));
  }

  return {
    title: "Job " + id,
    el,
    async refresh() {
      try {
        job = /** @type {JobDetail} */ (await api.get("/api/jobs/" + encodeURIComponent(id)));
      } catch (err) {
        if (/** @type {{ status?: number }} */ (err).status === 404) {
          fill(head, h("h1", { class: "mono" }, id));
          fill(spec, h("p", { class: "empty" }, "No such job (it may have been deleted)."));
          return;
        }
        throw err;
      }
      drawJob(job);
      await output.poll(job.id);
    },
  };
}
