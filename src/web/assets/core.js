/**
 * `/assets/core.js`: the page's helpers. Every piece of data reaches the DOM as a text node
 * (`h()` and `fill()`), never as HTML, so a job whose command or output holds `<script>` shows
 * that text.
 *
 * @module
 */

export const STATES = [
  "scheduled",
  "pending",
  "processing",
  "failed",
  "completed",
  "dead",
  "canceled",
];

// h("a", { href: "#/" , class: "x", onclick: fn }, "text", node, [more]) builds an element.
export function h(tag, attrs, ...children) {
  const svg = tag.startsWith("svg:");
  const el = svg
    ? document.createElementNS("http://www.w3.org/2000/svg", tag.slice(4))
    : document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k.startsWith("on")) el.addEventListener(k.slice(2), v);
    else if (k === "style") throw new Error("inline styles are refused by the CSP");
    else el.setAttribute(k, v === true ? "" : String(v));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else if (c instanceof Node) el.appendChild(c);
    else el.appendChild(document.createTextNode(String(c)));
  }
}

// Replaces an element's children (text or nodes).
export function fill(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

export class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

async function call(method, path, body) {
  const init = { method, headers: { Accept: "application/json" }, credentials: "same-origin" };
  if (body !== undefined) {
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  const res = await fetch(path, init);
  if (res.status === 401) {
    location.href = "/login";
    throw new ApiError(401, "login needed");
  }
  const type = res.headers.get("content-type") || "";
  const data = type.includes("json") ? await res.json() : await res.text();
  if (!res.ok) throw new ApiError(res.status, (data && data.error) || ("HTTP " + res.status));
  return data;
}

export const api = {
  get: (path) => call("GET", path),
  post: (path, body) => call("POST", path, body),
  del: (path) => call("DELETE", path),
};

// Builds a query string from an object, skipping empty values.
export function qs(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v !== undefined && v !== null && v !== "") q.set(k, String(v));
  }
  const s = q.toString();
  return s ? "?" + s : "";
}

// A table head; numeric columns are right-aligned like their cells.
const NUMERIC = ["#", "Tries", "Prio", "Done", "Last hour", "Duration", "Exit"];
export function thead(cols) {
  return h(
    "thead",
    {},
    h("tr", {}, cols.map((c) => h("th", { class: NUMERIC.includes(c) ? "num" : null }, c))),
  );
}

export function jobHref(id) {
  return "#/job/" + encodeURIComponent(id);
}

export function badge(state) {
  return h("span", { class: "badge s-" + state }, state);
}

export function ago(ms) {
  if (ms === null || ms === undefined) return "-";
  const s = Math.round(ms / 1000);
  if (s < 60) return s + "s";
  if (s < 3600) return Math.round(s / 60) + "m";
  if (s < 172800) return Math.round(s / 3600) + "h";
  return Math.round(s / 86400) + "d";
}

export function since(iso) {
  if (!iso) return "-";
  return ago(Date.now() - Date.parse(iso)) + " ago";
}

export function when(iso) {
  if (!iso) return "-";
  return iso.replace("T", " ").replace(/\.\d+Z$/, "Z");
}

export function seconds(ms) {
  if (ms === null || ms === undefined) return "-";
  if (ms < 1000) return ms + " ms";
  return (ms / 1000).toFixed(ms < 10000 ? 2 : 1) + " s";
}

// A short message in the corner: ok or error.
export function notify(message, kind) {
  const box = document.getElementById("toasts");
  const t = h("div", { class: "toast " + (kind || "ok"), role: "status" }, message);
  box.appendChild(t);
  setTimeout(() => t.remove(), kind === "error" ? 6000 : 3000);
}

// Runs an action from a button: disables it meanwhile, reports the outcome.
export async function act(button, fn, done) {
  button.disabled = true;
  try {
    const result = await fn();
    if (done) notify(typeof done === "function" ? done(result) : done);
    return result;
  } catch (err) {
    notify(err.message, "error");
  } finally {
    button.disabled = false;
  }
}

// A two-step button for destructive actions: the first click arms it, the second acts.
export function confirmButton(label, armedLabel, onConfirm, attrs) {
  let armed = false;
  let timer = null;
  const b = h("button", Object.assign({ type: "button", class: "btn danger" }, attrs || {}), label);
  b.addEventListener("click", async () => {
    if (!armed) {
      armed = true;
      b.textContent = armedLabel;
      b.classList.add("armed");
      timer = setTimeout(reset, 4000);
      return;
    }
    clearTimeout(timer);
    reset();
    await onConfirm(b);
  });
  function reset() {
    armed = false;
    b.textContent = label;
    b.classList.remove("armed");
  }
  return b;
}
