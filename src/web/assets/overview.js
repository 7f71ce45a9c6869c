// @ts-check
/// <reference lib="dom" />
/**
 * `/assets/overview.js`: counts per state, the named queues (when there is more than `default`),
 * throughput and a last-hour chart, and the workers.
 *
 * @module
 */

import { ago, api, fill, h, jobHref, seconds, STATES, thead } from "./core.js";
import { pausedBadge, queueHref, runningText } from "./queues.js";
/** @import { View } from "./core.js" */
/** @import { Metrics, Minute, Queue, WorkerView } from "./api.d.ts" */
/** @typedef {Metrics["workers"][number]} Tally one worker's finished attempts in the hour */

/**
 * The overview page (`#/`).
 *
 * @returns {View}
 */
export function overviewView() {
  const cards = h("div", { class: "cards" });
  const rates = h("div", { class: "rates" });
  const chart = h("div", { class: "chart" });
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
        ),
      ),
      rates,
      chart,
    ),
    h("section", { class: "panel" }, h("h2", {}, "Workers"), workers),
  );
  let last = "";
  // The last-hour report reads every minute bucket: fetched every 5 s, not on every tick.
  /** @type {Metrics | null} */
  let metrics = null;
  let metricsAt = 0;
  return {
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
            h("span", { class: "card-n" }, String(status.counts[s])),
            h("span", { class: "card-label" }, s),
          )
        ),
      );
      // Only `default` (every job enqueued without --queue): the state cards say it all.
      const named = queues.length > 1 || queues.some((q) => q.name !== "default");
      queuePanel.classList.toggle("hidden", !named);
      fill(queueCards, named ? queues.map(queueCard) : null);
      renderRates(rates, chart, metrics);
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
    h("span", {}, h("b", {}, String(q.counts.pending ?? 0)), " pending"),
    h("span", { title: "running / limit" }, h("b", {}, runningText(q)), " running"),
    pausedBadge(q.paused),
  );
}

/**
 * @param {HTMLElement} rates
 * @param {HTMLElement} chart
 * @param {Metrics} m
 */
function renderRates(rates, chart, m) {
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
      perMin < 10 ? perMin.toFixed(1) : String(Math.round(perMin)),
      "throughput",
    ),
    stat("completed · dead (1 h)", w.completed + " · " + w.dead, "completed"),
    stat("enqueued · retried (1 h)", w.enqueued + " · " + w.retried, "enqueued"),
    stat("success rate (1 h)", pct, "success"),
    stat("run time p50 / p95", pair(m.run_ms.p50, m.run_ms.p95), "run"),
    stat("wait p50 / p95", pair(m.wait_ms.p50, m.wait_ms.p95), "wait"),
  );
  fill(chart, barChart(minutes));
}

/**
 * Stacked bars, one per minute, oldest left. Built as SVG nodes: no markup strings.
 *
 * @param {Minute[]} minutes
 */
function barChart(minutes) {
  const W = 1100, H = 120, n = Math.max(minutes.length, 1), gap = 2;
  const bw = W / n - gap;
  const top = Math.max(1, ...minutes.map((x) => x.completed + x.retried + x.dead));
  const svg = h("svg:svg", {
    viewBox: "0 0 " + W + " " + (H + 16),
    class: "bars",
    role: "img",
    "aria-label": "jobs finished per minute, last hour",
  });
  minutes.forEach((x, i) => {
    let y = H;
    const g = h("svg:g", {});
    for (const k of /** @type {const} */ (["completed", "retried", "dead"])) {
      const v = x[k];
      if (!v) continue;
      const bh = Math.max(1, (v / top) * (H - 4));
      y -= bh;
      g.appendChild(
        h("svg:rect", { x: i * (bw + gap), y: y, width: bw, height: bh, class: "b-" + k }),
      );
    }
    const t = new Date(x.minute).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
    g.appendChild(
      h(
        "svg:title",
        {},
        t + ": " + x.completed + " completed, " + x.retried + " failed and retried, " + x.dead +
          " dead, " + x.enqueued + " enqueued",
      ),
    );
    g.appendChild(
      h("svg:rect", { x: i * (bw + gap), y: 0, width: bw + gap, height: H, class: "hit" }),
    );
    svg.appendChild(g);
  });
  svg.appendChild(h("svg:line", { x1: 0, y1: H + 0.5, x2: W, y2: H + 0.5, class: "axis" }));
  svg.appendChild(h("svg:text", { x: 0, y: H + 13, class: "tick" }, "-60 min"));
  svg.appendChild(
    h("svg:text", { x: W, y: H + 13, class: "tick end" }, "now · peak " + top + "/min"),
  );
  return svg;
}

/**
 * @param {HTMLElement} box
 * @param {WorkerView[]} workers
 * @param {Tally[]} hour
 */
function renderWorkers(box, workers, hour) {
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
            h("td", { class: "num" }, String(w.processed)),
            h(
              "td",
              { class: "num" },
              done.has(w.id)
                ? /** @type {Tally} */ (done.get(w.id)).completed + " ok · " +
                  /** @type {Tally} */ (done.get(w.id)).failed + " failed"
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
