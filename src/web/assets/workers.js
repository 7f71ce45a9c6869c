// @ts-check
/// <reference lib="dom" />
/**
 * `/assets/workers.js`: the registered workers (`worker list`) and, when the server runs with
 * `--allow-worker-control`, a form to start workers on the server's host and buttons to stop one
 * or all of them gracefully. Without the flag the controls are not drawn at all, and the page
 * says how to turn them on (the API refuses them with a 403 either way).
 *
 * @module
 */

import { act, ago, api, confirmButton, fill, h, jobHref, since, thead } from "./core.js";
import { formatCount } from "./bulk.js";
/** @import { View } from "./core.js" */
/** @import { Status, WorkerView } from "./api.d.ts" */

/**
 * The workers page (`#/workers`).
 *
 * @returns {View}
 */
export function workersView() {
  const refreshSoon = () => dispatchEvent(new Event("queuectl:refresh"));
  const countBox = h("input", {
    type: "number",
    name: "count",
    id: "start-count",
    min: 1,
    max: 64,
    step: 1,
    value: 1,
    required: true,
  });
  const processesBox = h("input", {
    type: "number",
    name: "processes",
    id: "start-processes",
    min: 1,
    max: 64,
    step: 1,
    placeholder: "auto",
  });
  const startButton = h(
    "button",
    { class: "btn primary", type: "submit", id: "start-workers" },
    "Start",
  );
  const form = h(
    "form",
    { class: "worker-form", id: "start-form" },
    h("label", {}, "Slots (jobs at once, 1-64)", countBox),
    h("label", {}, "Processes", processesBox),
    startButton,
  );
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    /** @type {Record<string, number>} */
    const body = { count: Number(countBox.value) };
    if (processesBox.value !== "") body.processes = Number(processesBox.value);
    act(
      startButton,
      () => api.post("/api/workers/start", body),
      (r) => "started " + r.count + " slot(s) in " + r.processes + " process(es), pid " + r.pid,
    ).then(refreshSoon);
  });
  const stopAll = confirmButton(
    "Stop all",
    "Really stop every worker?",
    (b) =>
      act(
        b,
        () => api.post("/api/workers/stop", { all: true }),
        (r) => "stopping " + r.stopping + " worker(s)",
      ).then(refreshSoon),
    { id: "stop-all" },
  );
  const controls = h(
    "div",
    { class: "hidden", id: "worker-controls" },
    h("h2", {}, "Start workers on this host"),
    form,
  );
  const off = h(
    "p",
    { class: "control-off muted hidden", id: "control-off" },
    "Worker control is off. Start the dashboard with queuectl web --allow-worker-control to " +
      "start and stop workers from this page.",
  );
  const count = h("span", { class: "muted", id: "worker-total" });
  const body = h("div", { class: "table-wrap" });
  const el = h(
    "section",
    { class: "panel" },
    h(
      "div",
      { class: "panel-head" },
      h("h1", {}, "Workers"),
      count,
      h("div", { class: "actions" }, stopAll),
    ),
    off,
    controls,
    body,
  );
  let last = "";

  /**
   * @param {WorkerView} w
   * @param {boolean} control
   */
  function row(w, control) {
    const jobs = w.jobs || (w.job ? [w.job] : []);
    return h(
      "tr",
      { "data-worker": w.id },
      h("td", { class: "mono" }, w.id),
      h("td", { class: "mono" }, w.host),
      h("td", { class: "num" }, String(w.pid)),
      h("td", {}, w.state),
      h("td", { class: "num" }, String(w.slots ?? 1)),
      h(
        "td",
        { class: "mono" },
        jobs.flatMap((id, i) => [i ? " " : "", h("a", { href: jobHref(id) }, id)]),
      ),
      h("td", { title: w.started_at }, since(w.started_at)),
      h("td", { title: w.heartbeat_at }, ago(w.heartbeat_age_ms) + " ago"),
      h("td", { class: "num" }, formatCount(w.processed)),
      h(
        "td",
        { class: "row-actions" },
        control
          ? h("button", {
            class: "btn small",
            type: "button",
            "data-stop": w.id,
            onclick: (e) =>
              act(
                /** @type {HTMLButtonElement} */ (e.target),
                () => api.post("/api/workers/stop", { id: w.id }),
                "stopping " + w.id,
              ).then(refreshSoon),
          }, "Stop")
          : null,
      ),
    );
  }

  return {
    title: "Workers",
    el,
    /** @param {Status} status */
    async refresh(status) {
      const control = !!status.worker_control;
      controls.classList.toggle("hidden", !control);
      off.classList.toggle("hidden", control);
      stopAll.classList.toggle("hidden", !control);
      stopAll.disabled = status.workers.length === 0;
      fill(count, formatCount(status.workers.length) + " registered");
      const key = JSON.stringify([
        status.workers.map((w) => [w, Math.floor(w.heartbeat_age_ms / 1000)]),
        control,
      ]);
      if (key === last) return;
      last = key;
      if (status.workers.length === 0) {
        fill(body, h("p", { class: "empty", id: "no-workers" }, "No workers running."));
        return;
      }
      fill(
        body,
        h(
          "table",
          { class: "grid", id: "workers" },
          thead([
            "ID",
            "Host",
            "PID",
            "State",
            "Slots",
            "Jobs",
            "Started",
            "Heartbeat",
            "Done",
            "",
          ]),
          h("tbody", {}, status.workers.map((w) => row(w, control))),
        ),
      );
      await Promise.resolve();
    },
  };
}
