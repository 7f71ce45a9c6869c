/**
 * `/assets/overview.js`: counts per state, throughput and a last-hour chart, and the workers.
 *
 * @module
 */

/** The script's source. */
export const OVERVIEW_JS = String.raw`// queuectl dashboard: the overview.
import { ago, fill, h, jobHref, seconds, STATES, thead } from "./core.js";

export function overviewView() {
  const cards = h("div", { class: "cards" });
  const rates = h("div", { class: "rates" });
  const chart = h("div", { class: "chart" });
  const workers = h("div", { class: "table-wrap" });
  const el = h("div", { class: "stack" },
    h("section", { class: "panel" }, h("h2", {}, "Jobs"), cards),
    h("section", { class: "panel" },
      h("div", { class: "panel-head" }, h("h2", {}, "Last hour"), h("span", { class: "legend" },
        h("i", { class: "key k-completed" }), "completed ", h("i", { class: "key k-failed" }), "failed ",
        h("i", { class: "key k-dead" }), "dead")),
      rates, chart),
    h("section", { class: "panel" }, h("h2", {}, "Workers"), workers));
  let last = "";
  return {
    title: "Overview",
    el,
    refresh(status) {
      const key = JSON.stringify([status.counts, status.workers.map((w) => [w.id, w.state, w.job, Math.round(w.heartbeat_age_ms / 1000), w.processed]), status.metrics]);
      if (key === last) return;
      last = key;
      fill(cards, STATES.map((s) => h("a", { class: "card s-" + s, href: "#/jobs?state=" + s, "data-state": s },
        h("span", { class: "card-n" }, String(status.counts[s])), h("span", { class: "card-label" }, s))));
      renderRates(rates, chart, status.metrics);
      renderWorkers(workers, status.workers);
    },
  };
}

function renderRates(rates, chart, m) {
  if (!m) {
    fill(rates, h("p", { class: "muted" }, "No metrics recorded yet."));
    fill(chart);
    return;
  }
  const minutes = m.per_minute || [];
  const sum = (k) => minutes.reduce((n, x) => n + (x[k] || 0), 0);
  const lastMin = minutes.length ? minutes[minutes.length - 1] : {};
  const stat = (label, value, id) => h("div", { class: "stat", "data-stat": id }, h("span", { class: "stat-n" }, value), h("span", { class: "stat-label" }, label));
  const rate = m.success_rate === null || m.success_rate === undefined ? "-" : (m.success_rate * 100).toFixed(1) + "%";
  fill(rates,
    stat("completed / min (now)", String(lastMin.completed || 0), "per-minute"),
    stat("completed / hour", String(sum("completed")), "per-hour"),
    stat("enqueued / hour", String(sum("enqueued")), "enqueued"),
    stat("success rate", rate, "success"),
    stat("run time p50 / p95", m.run_ms ? seconds(m.run_ms.p50) + " / " + seconds(m.run_ms.p95) : "-", "run"),
    stat("wait p50 / p95", m.wait_ms ? seconds(m.wait_ms.p50) + " / " + seconds(m.wait_ms.p95) : "-", "wait"));
  fill(chart, barChart(minutes));
}

// Stacked bars, one per minute, oldest left. Built as SVG nodes: no markup strings.
function barChart(minutes) {
  const W = 600, H = 120, n = Math.max(minutes.length, 1), gap = 2;
  const bw = W / n - gap;
  const top = Math.max(1, ...minutes.map((x) => (x.completed || 0) + (x.failed || 0) + (x.dead || 0)));
  const svg = h("svg:svg", { viewBox: "0 0 " + W + " " + (H + 16), class: "bars", role: "img", "aria-label": "jobs finished per minute, last hour" });
  minutes.forEach((x, i) => {
    let y = H;
    const g = h("svg:g", {});
    for (const k of ["completed", "failed", "dead"]) {
      const v = x[k] || 0;
      if (!v) continue;
      const bh = Math.max(1, (v / top) * (H - 4));
      y -= bh;
      g.appendChild(h("svg:rect", { x: i * (bw + gap), y: y, width: bw, height: bh, class: "b-" + k }));
    }
    const t = new Date(x.minute).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
    g.appendChild(h("svg:title", {}, t + ": " + (x.completed || 0) + " completed, " + (x.failed || 0) + " failed, " + (x.dead || 0) + " dead, " + (x.enqueued || 0) + " enqueued"));
    g.appendChild(h("svg:rect", { x: i * (bw + gap), y: 0, width: bw + gap, height: H, class: "hit" }));
    svg.appendChild(g);
  });
  svg.appendChild(h("svg:line", { x1: 0, y1: H + 0.5, x2: W, y2: H + 0.5, class: "axis" }));
  svg.appendChild(h("svg:text", { x: 0, y: H + 13, class: "tick" }, "-60 min"));
  svg.appendChild(h("svg:text", { x: W, y: H + 13, class: "tick end" }, "now · peak " + top + "/min"));
  return svg;
}

function renderWorkers(box, workers) {
  if (!workers.length) {
    fill(box, h("p", { class: "muted" }, "No workers running. Start some with: queuectl worker start --count 2"));
    return;
  }
  fill(box, h("table", { class: "grid" },
    thead(["Worker", "Host", "State", "Current job", "Heartbeat", "Done"]),
    h("tbody", {}, workers.map((w) => h("tr", { "data-worker": w.id },
      h("td", { class: "mono" }, w.id),
      h("td", {}, w.host),
      h("td", {}, h("span", { class: "badge w-" + w.state }, w.state)),
      h("td", { class: "mono" }, w.job ? h("a", { href: jobHref(w.job) }, w.job) : "-"),
      h("td", { class: w.heartbeat_age_ms > 5000 ? "warn" : "" }, ago(w.heartbeat_age_ms) + " ago"),
      h("td", { class: "num" }, String(w.processed)))))));
}
`;
