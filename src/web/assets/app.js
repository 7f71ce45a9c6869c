/**
 * `/assets/app.js`: the page's entry. It routes on the URL hash, mounts one view at a time, and
 * refreshes the mounted view and the header once a second while the tab is visible (short
 * polling: every read is a few KV gets, whatever the queue's size).
 *
 * @module
 */

import { api, fill, h } from "./core.js";
import { overviewView } from "./overview.js";
import { jobsView } from "./jobs.js";
import { jobView } from "./job.js";
import { dlqView } from "./dlq.js";
import { enqueueView } from "./enqueue.js";

const REFRESH_MS = 1000;
const main = document.getElementById("view");
const live = document.getElementById("live");
let current = null;
let timer = null;
let generation = 0;

function parseHash() {
  const raw = location.hash.replace(/^#/, "") || "/";
  const [path, query] = raw.split("?");
  return {
    parts: path.split("/").filter(Boolean).map(decodeURIComponent),
    query: new URLSearchParams(query || ""),
  };
}

function viewFor(route) {
  const [first, second] = route.parts;
  if (!first) return overviewView();
  if (first === "jobs") return jobsView(route.query);
  if (first === "job" && second) return jobView(second);
  if (first === "dlq") return dlqView();
  if (first === "enqueue") return enqueueView();
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

async function refreshHeader() {
  const status = await api.get("/api/status");
  const dlq = document.getElementById("dlq-count");
  fill(dlq, status.dlq > 0 ? String(status.dlq) : "");
  dlq.classList.toggle("hidden", status.dlq === 0);
  document.getElementById("logout").classList.toggle("hidden", !status.auth_required);
  return status;
}

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
      live.title = err.message;
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
