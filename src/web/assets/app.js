// @ts-check
/// <reference lib="dom" />
/**
 * `/assets/app.js`: the page's entry. It routes on the URL hash, mounts one view at a time, and
 * refreshes the mounted view and the header once a second while the tab is visible (short
 * polling: every read is a few KV gets, whatever the queue's size).
 *
 * @module
 */

import { api, fill, h } from "./core.js";
import { num } from "./format.js";
import { overviewView } from "./overview.js";
import { jobsView } from "./jobs.js";
import { jobView } from "./job.js";
import { dlqView } from "./dlq.js";
import { enqueueView } from "./enqueue.js";
import { queuesView } from "./queues.js";
import { schedulesView } from "./schedules.js";
import { workersView } from "./workers.js";

/** @import { View } from "./core.js" */
/** @import { Status } from "./api.d.ts" */

const REFRESH_MS = 1000;
// The shell (index.html) always has these.
const main = /** @type {HTMLElement} */ (document.getElementById("view"));
const live = /** @type {HTMLElement} */ (document.getElementById("live"));
/** @type {View | null} */
let current = null;
/** @type {ReturnType<typeof setTimeout> | undefined} */
let timer;
let generation = 0;

/** @typedef {{ parts: string[]; query: URLSearchParams }} Route */

/** @returns {Route} */
function parseHash() {
  const raw = location.hash.replace(/^#/, "") || "/";
  // split() always yields the first part.
  const [path, query] = /** @type {[string, string?]} */ (raw.split("?"));
  return {
    parts: path.split("/").filter(Boolean).map(decodeURIComponent),
    query: new URLSearchParams(query || ""),
  };
}

/**
 * @param {Route} route
 * @returns {View}
 */
function viewFor(route) {
  const [first, second] = route.parts;
  if (!first) return overviewView();
  if (first === "jobs") return jobsView(route.query);
  if (first === "job" && second) return jobView(second);
  if (first === "dlq") return dlqView();
  if (first === "enqueue") return enqueueView();
  if (first === "queues") return queuesView();
  if (first === "schedules") return schedulesView();
  if (first === "workers") return workersView();
  return {
    title: "Not found",
    el: h(
      "section",
      { class: "panel" },
      h("h1", {}, "Not found"),
      h("p", {}, "No page at " + location.hash),
    ),
  };
}

function mount() {
  if (current && current.stop) current.stop();
  const route = parseHash();
  current = viewFor(route);
  document.title = current.title + " · queuectl";
  for (const a of document.querySelectorAll("nav a")) {
    a.classList.toggle("active", a.getAttribute("data-section") === (route.parts[0] || "overview"));
  }
  fill(main, current.el);
  tick(true);
}

/** @returns {Promise<Status>} */
async function refreshHeader() {
  /** @type {Status} */
  const status = await api.get("/api/status");
  const dlq = /** @type {HTMLElement} */ (document.getElementById("dlq-count"));
  fill(dlq, status.dlq > 0 ? num(status.dlq) : "");
  dlq.classList.toggle("hidden", status.dlq === 0);
  /** @type {HTMLElement} */ (document.getElementById("logout")).classList.toggle(
    "hidden",
    !status.auth_required,
  );
  return status;
}

/** @param {boolean} now refresh even while the tab is hidden */
async function tick(now) {
  clearTimeout(timer);
  const mine = ++generation;
  if (document.visibilityState === "visible" || now) {
    try {
      const status = await refreshHeader();
      if (current && current.refresh) await current.refresh(status);
      if (mine !== generation) return;
      live.classList.remove("offline");
      fill(live, "live");
      live.title = "updated " + new Date().toLocaleTimeString();
    } catch (err) {
      if (mine !== generation) return;
      live.classList.add("offline");
      fill(live, "offline");
      live.title = /** @type {Error} */ (err).message;
    }
  }
  if (mine === generation) timer = setTimeout(() => tick(false), REFRESH_MS);
}

// Views ask for a refresh right after an action, so the result shows at once.
addEventListener("queuectl:refresh", () => tick(true));
addEventListener("hashchange", mount);
document.addEventListener("visibilitychange", () => {
  if (document.visibilityState === "visible") tick(true);
});
mount();
