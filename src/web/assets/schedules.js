// @ts-check
/// <reference lib="dom" />
/**
 * `/assets/schedules.js`: the recurring schedules (`schedule list`): when each runs next, the job
 * it last enqueued, and pause and resume. Adding and removing one stay on the CLI.
 *
 * @module
 */

import { api, fill, h, jobHref, since, when } from "./core.js";
import { pauseButton, pausedBadge, queueHref } from "./queues.js";
/** @import { View } from "./core.js" */
/** @import { Schedule } from "./api.d.ts" */

/**
 * How a schedule ticks: `every 10m`, or its cron expression and zone.
 * @param {Schedule} s
 */
function cadence(s) {
  return s.every !== null ? "every " + s.every : "cron " + s.cron + " (" + s.tz + ")";
}

/**
 * The schedules page (`#/schedules`).
 *
 * @returns {View}
 */
export function schedulesView() {
  const body = h("div", { class: "table-wrap" });
  const el = h(
    "section",
    { class: "panel" },
    h("h1", {}, "Schedules"),
    h(
      "p",
      { class: "muted" },
      "Each schedule enqueues its command into its queue when due. A paused one enqueues nothing; " +
        "resumed, it runs next at its next tick from then. Add and remove them with queuectl schedule.",
    ),
    body,
  );
  let last = "";

  /** @param {Schedule} s */
  function row(s) {
    return h(
      "tr",
      { "data-schedule": s.name },
      h("td", { class: "mono" }, s.name),
      h("td", { class: "mono" }, cadence(s)),
      h("td", { title: s.next_run || "" }, s.paused ? "-" : when(s.next_run)),
      h(
        "td",
        { title: s.last_run || "" },
        s.last_job
          ? h("a", { href: jobHref(s.last_job), "data-last-job": s.last_job }, since(s.last_run))
          : since(s.last_run),
      ),
      h("td", { class: "mono" }, h("a", { href: queueHref(s.queue) }, s.queue)),
      h("td", {}, pausedBadge(s.paused)),
      h("td", { class: "mono cmd", title: s.command }, s.command),
      h(
        "td",
        { class: "row-actions" },
        pauseButton("schedules", s.name, s.paused),
      ),
    );
  }

  return {
    title: "Schedules",
    el,
    async refresh() {
      /** @type {Schedule[]} */
      const schedules = await api.get("/api/schedules");
      // The ten-second tick keeps the "last run … ago" column from going stale.
      const key = JSON.stringify([schedules, Math.floor(Date.now() / 10000)]);
      if (key === last) return;
      last = key;
      if (!schedules.length) {
        fill(
          body,
          h(
            "p",
            { class: "empty" },
            'No schedules. Add one with: queuectl schedule add NAME --every 10m --command "…"',
          ),
        );
        return;
      }
      fill(
        body,
        h(
          "table",
          { class: "grid schedules" },
          h(
            "thead",
            {},
            h(
              "tr",
              {},
              ["Name", "Schedule", "Next run", "Last run", "Queue", "Status", "Command", ""].map((
                c,
              ) => h("th", {}, c)),
            ),
          ),
          h("tbody", {}, schedules.map(row)),
        ),
      );
    },
  };
}
