// @ts-check
/// <reference lib="dom" />
/**
 * `/assets/chart.js`: the overview's last-hour charts as SVG nodes (no markup strings), drawn
 * at the width of their box so labels keep their size from a phone to a wide screen: stacked
 * bars of finished jobs (linear or log scale) and lines of queue depth and wait time, each with
 * a y-axis of 1-2-5 ticks.
 *
 * @module
 */

import { h } from "./core.js";
import { logTicks, niceTicks, num } from "./format.js";
/** @import { Minute } from "./api.d.ts" */

/** Room for the y-axis labels, and below the plot for the x labels. */
const LEFT = 44, BOTTOM = 16, TOP = 6;

/**
 * A scale from a value to a height fraction (0–1) over `ticks`. The log scale puts 1 one step
 * above 0 and each power of ten one step further, so a minute of 10 stays visible beside 5,000.
 *
 * @param {number[]} ticks
 * @param {boolean} log
 * @returns {(v: number) => number}
 */
function scaleOf(ticks, log) {
  const top = /** @type {number} */ (ticks[ticks.length - 1]);
  if (!log) return (v) => Math.min(1, v / top);
  const steps = ticks.length - 1;
  return (v) => (v <= 0 ? 0 : Math.min(1, (1 + Math.log10(v)) / steps));
}

/**
 * The frame shared by the charts: the SVG, gridlines with their labels, and the time labels.
 *
 * @param {{ width: number; height: number; ticks: number[]; scale: (v: number) => number; label: string; format: (v: number) => string; note: string }} o
 */
function frame(o) {
  const plotH = o.height - BOTTOM - TOP;
  const svg = h("svg:svg", {
    viewBox: "0 0 " + o.width + " " + o.height,
    width: o.width,
    height: o.height,
    class: "bars",
    role: "img",
    "aria-label": o.label,
  });
  for (const t of o.ticks) {
    const y = TOP + plotH * (1 - o.scale(t));
    svg.appendChild(
      h("svg:line", {
        x1: LEFT,
        y1: y + 0.5,
        x2: o.width,
        y2: y + 0.5,
        class: t ? "grid" : "axis",
      }),
    );
    svg.appendChild(h("svg:text", { x: LEFT - 4, y: y + 4, class: "tick end" }, o.format(t)));
  }
  svg.appendChild(h("svg:text", { x: LEFT, y: o.height - 3, class: "tick" }, "-60 min"));
  svg.appendChild(h("svg:text", { x: o.width, y: o.height - 3, class: "tick end" }, o.note));
  return { svg, plotH, plotW: o.width - LEFT };
}

/**
 * Stacked bars of jobs finished per minute, oldest left.
 *
 * @example
 * ```js
 * box.replaceChildren(barChart(metrics.per_minute, { width: box.clientWidth, log: false }));
 * ```
 *
 * @param {Minute[]} minutes
 * @param {{ width: number; log: boolean }} options
 * @returns {SVGSVGElement}
 */
export function barChart(minutes, options) {
  const peak = Math.max(0, ...minutes.map((x) => x.completed + x.retried + x.dead));
  const ticks = options.log ? logTicks(peak) : niceTicks(peak);
  const scale = scaleOf(ticks, options.log);
  const { svg, plotH, plotW } = frame({
    width: options.width,
    height: 150,
    ticks,
    scale,
    label: "jobs finished per minute, last hour" + (options.log ? " (log scale)" : ""),
    format: num,
    // An empty hour has no peak to speak of.
    note: peak > 0 ? "now · peak " + num(peak) + "/min" : "now · nothing finished",
  });
  const n = Math.max(minutes.length, 1);
  const step = plotW / n;
  const gap = step > 4 ? 1 : 0;
  minutes.forEach((x, i) => {
    const g = h("svg:g", {});
    const left = LEFT + i * step;
    let sum = 0;
    for (const k of /** @type {const} */ (["completed", "retried", "dead"])) {
      const v = x[k];
      if (!v) continue;
      const y0 = TOP + plotH * (1 - scale(sum));
      sum += v;
      const y1 = TOP + plotH * (1 - scale(sum));
      g.appendChild(
        h("svg:rect", {
          x: left,
          y: y1,
          width: Math.max(1, step - gap),
          height: Math.max(1, y0 - y1),
          class: "b-" + k,
        }),
      );
    }
    g.appendChild(
      h(
        "svg:title",
        {},
        clock(x.minute) + ": " + num(x.completed) + " completed, " + num(x.retried) +
          " failed and retried, " + num(x.dead) + " dead, " + num(x.enqueued) + " enqueued",
      ),
    );
    g.appendChild(h("svg:rect", { x: left, y: TOP, width: step, height: plotH, class: "hit" }));
    svg.appendChild(g);
  });
  return svg;
}

/**
 * A line over the hour of one per-minute figure; a minute without a value breaks the line.
 *
 * @example
 * ```js
 * lineChart(metrics.per_minute.map((m) => m.depth), { width: 300, label: "jobs pending", format: num });
 * ```
 *
 * @param {(number | null)[]} values one per minute, oldest first
 * @param {{ width: number; label: string; format: (v: number) => string }} options
 * @returns {SVGSVGElement}
 */
export function lineChart(values, options) {
  const known = /** @type {number[]} */ (values.filter((v) => v !== null));
  const peak = Math.max(0, ...known);
  const ticks = niceTicks(peak, 3);
  const scale = scaleOf(ticks, false);
  const latest = known.length ? /** @type {number} */ (known[known.length - 1]) : null;
  const { svg, plotH, plotW } = frame({
    width: options.width,
    height: 110,
    ticks,
    scale,
    label: options.label + ", last hour",
    format: options.format,
    note: latest === null ? "no data yet" : "now " + options.format(latest),
  });
  const step = plotW / Math.max(values.length, 1);
  let d = "";
  let pen = false;
  values.forEach((v, i) => {
    if (v === null) {
      pen = false;
      return;
    }
    const x = (LEFT + (i + 0.5) * step).toFixed(1);
    const y = (TOP + plotH * (1 - scale(v))).toFixed(1);
    d += (pen ? "L" : "M") + x + " " + y + " ";
    pen = true;
  });
  if (d) svg.appendChild(h("svg:path", { d: d.trim(), class: "line" }));
  // A lone point makes no line: mark each point too, small.
  values.forEach((v, i) => {
    if (v === null) return;
    svg.appendChild(
      h(
        "svg:circle",
        { cx: LEFT + (i + 0.5) * step, cy: TOP + plotH * (1 - scale(v)), r: 1.8, class: "dot" },
        h("svg:title", {}, options.format(v)),
      ),
    );
  });
  return svg;
}

/** @param {number} ms */
function clock(ms) {
  return new Date(ms).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
}
