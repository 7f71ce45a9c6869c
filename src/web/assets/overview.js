// @ts-check
/// <reference lib="dom" />
/**
 * `/assets/overview.js`: counts per state, the named queues (when there is more than `default`),
 * throughput and a last-hour chart, and the workers.
 *
 * @module
 */

import { api, fill, h, seconds, STATES } from "./core.js";
import { pausedBadge, queueHref, runningText } from "./queues.js";
import { barChart, lineChart } from "./chart.js";
import { num } from "./format.js";
import { renderWorkers } from "./overview_workers.js";
/** @import { View } from "./core.js" */
/** @import { Metrics, Queue, WorkerView } from "./api.d.ts" */

/**
 * The overview page (`#/`).
 *
 * @returns {View}
 */
export function overviewView() {
  const cards = h("div", { class: "cards" });
  const rates = h("div", { class: "rates" });
  const chart = h("div", { class: "chart", id: "chart-finished" });
  const depthChart = h("div", { class: "chart", id: "chart-depth" });
  const waitChart = h("div", { class: "chart", id: "chart-wait" });
  let log = false;
  const logToggle = h("button", {
    class: "btn small ghost",
    type: "button",
    id: "chart-log",
    "aria-pressed": "false",
    onclick: () => {
      log = !log;
      logToggle.setAttribute("aria-pressed", String(log));
      fill(logToggle, log ? "linear scale" : "log scale");
      draw();
    },
  }, "log scale");
  const workers = h("div", { class: "table-wrap" });
  const queueCards = h("div", { class: "queue-cards" });
  const queuePanel = h(
    "section",
    { class: "panel hidden", id: "overview-queues" },
    h(
      "div",
      { class: "panel-head" },
      h("h2", {}, "Queues"),
      h("a", { class: "actions", href: "#/queues" }, "limits, pause and resume"),
    ),
    queueCards,
  );
  const el = h(
    "div",
    { class: "stack" },
    h("section", { class: "panel" }, h("h2", {}, "Jobs"), cards),
    queuePanel,
    h(
      "section",
      { class: "panel" },
      h(
        "div",
        { class: "panel-head" },
        h("h2", {}, "Last hour"),
        h(
          "span",
          { class: "legend" },
          h("i", { class: "key k-completed" }),
          "completed ",
          h("i", { class: "key k-failed" }),
          "failed, retried ",
          h("i", { class: "key k-dead" }),
          "dead",
          logToggle,
        ),
      ),
      rates,
      chart,
      h(
        "div",
        { class: "chart-pair" },
        h("figure", {}, h("figcaption", {}, "Jobs pending (queue depth)"), depthChart),
        h("figure", {}, h("figcaption", {}, "Mean wait from due to start"), waitChart),
      ),
    ),
    h("section", { class: "panel" }, h("h2", {}, "Workers"), workers),
  );
  let last = "";
  // The last-hour report reads every minute bucket: fetched every 5 s, not on every tick.
  /** @type {Metrics | null} */
  let metrics = null;
  let metricsAt = 0;
  /** The charts, at the width their boxes have now. */
  function draw() {
    if (!metrics) return;
    const m = metrics.per_minute;
    fill(chart, barChart(m, { width: widthOf(chart), log }));
    fill(
      depthChart,
      lineChart(m.map((x) => x.depth ?? null), {
        width: widthOf(depthChart),
        label: "jobs pending",
        format: num,
      }),
    );
    fill(
      waitChart,
      lineChart(m.map((x) => x.wait_avg_ms ?? null), {
        width: widthOf(waitChart),
        label: "mean wait",
        format: (v) => (v === 0 ? "0" : seconds(Math.round(v))),
      }),
    );
  }
  // Redrawn on a resize (a phone turned, a window narrowed), since they are drawn to fit.
  let drawnWidth = 0;
  const resized = () => {
    if (chart.clientWidth !== drawnWidth) draw();
    drawnWidth = chart.clientWidth;
  };
  addEventListener("resize", resized);
  return {
    stop() {
      removeEventListener("resize", resized);
    },
    title: "Overview",
    el,
    async refresh(status) {
      if (!metrics || Date.now() - metricsAt >= 5000) {
        metrics = /** @type {Metrics} */ (await api.get("/api/metrics"));
        metricsAt = Date.now();
      }
      /** @type {Queue[]} */
      const queues = await api.get("/api/queues");
      const key = JSON.stringify([
        queues,
        status.counts,
        status.workers.map((
          w,
        ) => [w.id, w.state, w.jobs, Math.round(w.heartbeat_age_ms / 1000), w.processed]),
        metrics.per_minute,
        metrics.workers,
      ]);
      if (key === last) return;
      last = key;
      fill(
        cards,
        STATES.map((s) =>
          h(
            "a",
            { class: "card s-" + s, href: "#/jobs?state=" + s, "data-state": s },
            h("span", { class: "card-n" }, num(status.counts[s] ?? 0)),
            h("span", { class: "card-label" }, s),
          )
        ),
      );
      // Only `default` (every job enqueued without --queue): the state cards say it all.
      const named = queues.length > 1 || queues.some((q) => q.name !== "default");
      queuePanel.classList.toggle("hidden", !named);
      fill(queueCards, named ? queues.map(queueCard) : null);
      renderRates(rates, metrics);
      draw();
      drawnWidth = chart.clientWidth;
      renderWorkers(workers, status.workers, metrics.workers);
    },
  };
}

/**
 * One queue in a line: its name (to its jobs), pending, running against the limit, and paused.
 *
 * @param {Queue} q
 */
function queueCard(q) {
  return h(
    "div",
    { class: "queue-card", "data-queue": q.name },
    h("a", { class: "mono", href: queueHref(q.name) }, q.name),
    h("span", {}, h("b", {}, num(q.counts.pending ?? 0)), " pending"),
    h("span", { title: "running / limit" }, h("b", {}, runningText(q)), " running"),
    pausedBadge(q.paused),
  );
}

/**
 * A box's width for a chart drawn into it; a box not laid out yet gets a phone's.
 *
 * @param {HTMLElement} box
 */
function widthOf(box) {
  return Math.max(240, box.clientWidth || 360);
}

/**
 * @param {HTMLElement} rates
 * @param {Metrics} m
 */
function renderRates(rates, m) {
  const minutes = m.per_minute;
  const w = m.window;
  // The last five minutes, the current one counted only for the part of it that has passed.
  const recent = minutes.slice(-5);
  const current = recent[recent.length - 1];
  const elapsed = current ? Math.min(1, Math.max(0.05, (m.now - current.minute) / 60000)) : 1;
  const perMin = recent.reduce((n, x) => n + x.completed, 0) /
    Math.max(1, recent.length - 1 + elapsed);
  /**
   * @param {string} label
   * @param {string} value
   * @param {string} id
   */
  const stat = (label, value, id) =>
    h(
      "div",
      { class: "stat", "data-stat": id },
      h("span", { class: "stat-n" }, value),
      h("span", { class: "stat-label" }, label),
    );
  const pct = m.success_rate === null ? "-" : (m.success_rate * 100).toFixed(1) + "%";
  /**
   * @param {number | null} a
   * @param {number | null} b
   */
  const pair = (a, b) =>
    (a === null ? "-" : seconds(Math.round(a))) + " / " +
    (b === null ? "-" : seconds(Math.round(b)));
  fill(
    rates,
    stat(
      "completed / min (last 5 min)",
      num(perMin),
      "throughput",
    ),
    stat("completed · dead (1 h)", num(w.completed) + " · " + num(w.dead), "completed"),
    stat("enqueued · retried (1 h)", num(w.enqueued) + " · " + num(w.retried), "enqueued"),
    stat("success rate (1 h)", pct, "success"),
    stat("run time p50 / p95", pair(m.run_ms.p50, m.run_ms.p95), "run"),
    stat("wait p50 / p95", pair(m.wait_ms.p50, m.wait_ms.p95), "wait"),
  );
}
