// @ts-check
/// <reference lib="dom" />
/**
 * `/assets/queues.js`: the named queues: their jobs per state, running against the limit, the
 * start rate, pause and resume, and a form that sets the limit and the rate (`queue set`).
 *
 * @module
 */

import { act, api, ApiError, fill, h, notify, STATES } from "./core.js";
import { num } from "./format.js";
/** @import { View } from "./core.js" */
/** @import { Queue } from "./api.d.ts" */

/** The states shown as their own columns; `processing` is the running / limit column. */
const COUNTED = STATES.filter((s) => s !== "processing");

/**
 * The page link of the jobs list filtered to one queue.
 * @param {string} name
 */
export function queueHref(name) {
  return "#/jobs?queue=" + encodeURIComponent(name);
}

/**
 * A queue's running jobs against its limit: `"1 / 2"`, or `"1 / -"` without one.
 * @param {Queue} q
 */
export function runningText(q) {
  return num(q.running) + " / " + (q.concurrency === null ? "-" : num(q.concurrency));
}

/**
 * A queue's paused or active badge.
 * @param {boolean} paused
 */
export function pausedBadge(paused) {
  return h(
    "span",
    { class: "badge " + (paused ? "q-paused" : "q-active") },
    paused ? "paused" : "active",
  );
}

/**
 * The Pause or Resume button of a queue or schedule: one POST to
 * `/api/{kind}/NAME/pause|resume`, then the page refreshes.
 * @param {"queues" | "schedules"} kind
 * @param {string} name
 * @param {boolean} paused
 * @returns {HTMLButtonElement}
 */
export function pauseButton(kind, name, paused) {
  const action = paused ? "resume" : "pause";
  return /** @type {HTMLButtonElement} */ (h("button", {
    class: "btn small",
    type: "button",
    "data-action": action,
    "aria-label": (paused ? "Resume " : "Pause ") + name,
    onclick: (/** @type {Event} */ e) =>
      act(
        /** @type {HTMLButtonElement} */ (e.currentTarget),
        () => api.post("/api/" + kind + "/" + encodeURIComponent(name) + "/" + action),
        name + (paused ? " resumed" : " paused"),
      ).then(() => dispatchEvent(new Event("queuectl:refresh"))),
  }, paused ? "Resume" : "Pause"));
}

/**
 * The queues page (`#/queues`).
 *
 * @returns {View}
 */
export function queuesView() {
  const refreshSoon = () => dispatchEvent(new Event("queuectl:refresh"));
  const body = h("div", { class: "table-wrap" });
  const pick = h("select", { name: "queue", "aria-label": "queue to set", id: "set-queue" });
  const limit = h("input", {
    type: "text",
    name: "concurrency",
    inputmode: "numeric",
    placeholder: "none",
    "aria-label": "concurrency limit",
    id: "set-concurrency",
    size: 8,
  });
  const rate = h("input", {
    type: "text",
    name: "rate",
    placeholder: "none",
    "aria-label": "start rate",
    id: "set-rate",
    title: "at most N starts per period, such as 10/1m",
    size: 8,
  });
  const save = h("button", { class: "btn primary", type: "submit", id: "set-save" }, "Save");
  const error = h("p", { class: "form-error", id: "set-error", role: "alert" });
  const form = h(
    "form",
    { class: "settings" },
    h("label", { class: "field" }, h("span", { class: "label" }, "Queue"), pick),
    h(
      "label",
      { class: "field" },
      h("span", { class: "label" }, "Concurrency limit"),
      limit,
      h("span", { class: "hint" }, "jobs at once, on all hosts; empty: none"),
    ),
    h(
      "label",
      { class: "field" },
      h("span", { class: "label" }, "Start rate"),
      rate,
      h("span", { class: "hint" }, "N/DURATION such as 10/1m; empty: none"),
    ),
    save,
  );
  const el = h(
    "div",
    { class: "stack" },
    h(
      "section",
      { class: "panel" },
      h("h1", {}, "Queues"),
      h(
        "p",
        { class: "muted" },
        "Jobs per state in each queue. A paused queue starts nothing; its running jobs finish.",
      ),
      body,
    ),
    h("section", { class: "panel" }, h("h2", {}, "Limits"), form, error),
  );

  /** @type {Queue[]} */
  let queues = [];
  let last = "";

  /** Fills the form's boxes with the picked queue's current settings. */
  function prefill() {
    const q = queues.find((x) => x.name === pick.value);
    limit.value = q && q.concurrency !== null ? String(q.concurrency) : "";
    rate.value = q && q.rate !== null ? q.rate : "";
    fill(error);
  }
  pick.addEventListener("change", prefill);

  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    const name = pick.value;
    if (!name) return;
    const n = limit.value.trim();
    const r = rate.value.trim();
    // Only the server judges a value (with `queue set`'s rules): a box that is not a number is
    // sent as its text, and the answer says what is wrong with it.
    const body = {
      concurrency: n === "" || n === "none" ? null : /^-?\d+(\.\d+)?$/.test(n) ? Number(n) : n,
      rate: r === "" ? null : r,
    };
    fill(error);
    save.disabled = true;
    try {
      /** @type {Queue} */
      const q = await api.post("/api/queues/" + encodeURIComponent(name) + "/settings", body);
      notify(
        q.name + ": concurrency " + (q.concurrency === null ? "none" : q.concurrency) +
          ", rate " + (q.rate || "none"),
      );
      refreshSoon();
    } catch (err) {
      const message = /** @type {Error} */ (err).message;
      if (err instanceof ApiError) fill(error, message);
      else notify(message, "error");
    } finally {
      save.disabled = false;
    }
  });

  /**
   * Picks a queue in the form and moves the focus there, from a row's button.
   * @param {string} name
   */
  function edit(name) {
    pick.value = name;
    prefill();
    limit.focus();
  }

  /** @param {Queue} q */
  function row(q) {
    return h(
      "tr",
      { "data-queue": q.name },
      h("td", { class: "mono" }, h("a", { href: queueHref(q.name) }, q.name)),
      h("td", {}, pausedBadge(q.paused)),
      h("td", { class: "num", "data-count": "pending" }, num(q.counts.pending ?? 0)),
      h("td", { class: "num", "data-count": "running" }, runningText(q)),
      COUNTED.filter((s) => s !== "pending").map((s) =>
        h("td", { class: "num", "data-count": s }, num(q.counts[s] ?? 0))
      ),
      h("td", { class: "mono", "data-rate": "" }, q.rate || "-"),
      h(
        "td",
        { class: "row-actions" },
        pauseButton("queues", q.name, q.paused),
        " ",
        h("button", {
          class: "btn small",
          type: "button",
          "data-action": "edit",
          "aria-label": "Limits of " + q.name,
          onclick: () => edit(q.name),
        }, "Limits…"),
      ),
    );
  }

  return {
    title: "Queues",
    el,
    async refresh() {
      queues = await api.get("/api/queues");
      const key = JSON.stringify(queues);
      if (key === last) return;
      const first = last === "";
      last = key;
      const picked = pick.value;
      fill(
        pick,
        queues.map((q) => h("option", { value: q.name, selected: q.name === picked }, q.name)),
      );
      if (first) prefill();
      const cols = ["Queue", "Status", "Pending", "Running / limit"].concat(
        COUNTED.filter((s) => s !== "pending"),
        ["Rate", ""],
      );
      fill(
        body,
        h(
          "table",
          { class: "grid queues" },
          h(
            "thead",
            {},
            h(
              "tr",
              {},
              cols.map((c, i) =>
                h("th", { class: i >= 2 && i < cols.length - 2 ? "num" : null }, c)
              ),
            ),
          ),
          h("tbody", {}, queues.map(row)),
        ),
      );
    },
  };
}
