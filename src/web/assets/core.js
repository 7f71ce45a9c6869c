// @ts-check
/// <reference lib="dom" />
/**
 * `/assets/core.js`: the page's helpers. Every piece of data reaches the DOM as a text node
 * (`h()` and `fill()`), never as HTML, so a job whose command or output holds `<script>` shows
 * that text.
 *
 * @module
 */

// Time and number texts live in format.js (pure, tested in Deno); pages import them from here.
export { ago, seconds, since, when } from "./format.js";

/**
 * What a view function returns. `refresh` runs on every tick with the `/api/status` answer the
 * header just used; `stop` runs when another view replaces this one.
 *
 * @typedef {object} View
 * @property {string} title
 * @property {Element} el
 * @property {(status: import("./api.d.ts").Status) => Promise<void>} [refresh]
 * @property {() => void} [stop]
 */

/** The job states, in the order the overview shows them. */
export const STATES = [
  "held",
  "blocked",
  "scheduled",
  "pending",
  "processing",
  "failed",
  "completed",
  "dead",
  "canceled",
];

/**
 * An attribute's value. `null`, `undefined` and `false` leave it out, `true` sets it empty, and
 * under an `on…` name a function is an event listener.
 *
 * @typedef {string | number | boolean | null | undefined | ((event: Event) => unknown)} AttrValue
 */

/** @typedef {Record<string, AttrValue>} Attrs */

/**
 * A child: a node, text (any other value becomes a text node), or a list of them. `null`,
 * `undefined` and `false` are skipped, so a child can be a condition. `append` takes lists nested
 * to any depth, but a JSDoc type cannot name itself, and the views nest one level.
 *
 * @typedef {Node | string | number | boolean | null | undefined} Leaf
 * @typedef {Leaf | Leaf[]} Child
 */

/**
 * A tag `h` can make (an HTML one, or an SVG one written `svg:rect`), and the element it makes.
 *
 * @typedef {keyof HTMLElementTagNameMap | `svg:${keyof SVGElementTagNameMap}`} Tag
 */
/**
 * @template {Tag} T
 * @typedef {T extends keyof HTMLElementTagNameMap ? HTMLElementTagNameMap[T]
 *   : T extends `svg:${infer K extends keyof SVGElementTagNameMap}` ? SVGElementTagNameMap[K]
 *   : never} Made
 */

/**
 * Builds an element: `h("a", { href: "#/", class: "x", onclick: fn }, "text", node, [more])`.
 * A tag `svg:…` is made in the SVG namespace, so the chart needs no markup string either.
 *
 * @template {Tag} T
 * @param {T} tag
 * @param {Attrs | null} attrs
 * @param {...Child} children
 * @returns {Made<T>}
 */
export function h(tag, attrs, ...children) {
  const svg = tag.startsWith("svg:");
  const el = svg
    ? document.createElementNS("http://www.w3.org/2000/svg", tag.slice(4))
    : document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k.startsWith("on")) el.addEventListener(k.slice(2), /** @type {EventListener} */ (v));
    else if (k === "style") throw new Error("inline styles are refused by the CSP");
    else el.setAttribute(k, v === true ? "" : String(v));
  }
  append(el, children);
  return /** @type {Made<T>} */ (el);
}

/**
 * @param {Element} el
 * @param {Child[]} children
 */
function append(el, children) {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else if (c instanceof Node) el.appendChild(c);
    else el.appendChild(document.createTextNode(String(c)));
  }
}

/**
 * Replaces an element's children (text or nodes) and returns the element.
 *
 * @template {Element} E
 * @param {E} el
 * @param {...Child} children
 * @returns {E}
 */
export function fill(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

/** A failed API call: its HTTP status and a one-line message. */
export class ApiError extends Error {
  /**
   * @param {number} status
   * @param {string} message
   */
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

/**
 * @param {string} method
 * @param {string} path
 * @param {unknown} [body]
 * @returns {Promise<any>} the answer's JSON (or its text, if it is not JSON)
 */
async function call(method, path, body) {
  /** @type {RequestInit & { headers: Record<string, string> }} */
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

/**
 * The JSON API. A call resolves to the answer's JSON, throws an {@linkcode ApiError} for an error
 * status, and sends the browser to log in on a 401.
 */
export const api = {
  /** @param {string} path */
  get: (path) => call("GET", path),
  /** @param {string} path @param {unknown} [body] */
  post: (path, body) => call("POST", path, body),
  /** @param {string} path */
  del: (path) => call("DELETE", path),
};

/**
 * Builds a query string (with its `?`, or empty) from an object, skipping empty values.
 * @param {Record<string, unknown>} params
 * @returns {string}
 */
export function qs(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v !== undefined && v !== null && v !== "") q.set(k, String(v));
  }
  const s = q.toString();
  return s ? "?" + s : "";
}

const NUMERIC = ["#", "Tries", "Prio", "Done", "Last hour", "Duration", "Exit"];

/**
 * A table head; numeric columns are right-aligned like their cells.
 * @param {string[]} cols
 */
export function thead(cols) {
  return h(
    "thead",
    {},
    h("tr", {}, cols.map((c) => h("th", { class: NUMERIC.includes(c) ? "num" : null }, c))),
  );
}

/**
 * The page link of the job `id`.
 * @param {string} id
 */
export function jobHref(id) {
  return "#/job/" + encodeURIComponent(id);
}

/**
 * A job state as a coloured label.
 * @param {string} state
 */
export function badge(state) {
  return h("span", { class: "badge s-" + state }, state);
}

/**
 * Shows a short message in the corner for a few seconds.
 * @param {string} message
 * @param {"ok" | "error"} [kind] `"ok"` when left out
 */
export function notify(message, kind) {
  const box = /** @type {HTMLElement} */ (document.getElementById("toasts"));
  const t = h("div", { class: "toast " + (kind || "ok"), role: "status" }, message);
  box.appendChild(t);
  setTimeout(() => t.remove(), kind === "error" ? 6000 : 3000);
}

/**
 * Runs an action from a button: disables it meanwhile, and reports the outcome as a message
 * (`done`, or what it makes of the result). A failure is reported, not thrown: the result is then
 * `undefined`.
 *
 * @template T
 * @param {HTMLButtonElement} button
 * @param {() => Promise<T>} fn
 * @param {string | ((result: T) => string)} [done]
 * @returns {Promise<T | undefined>}
 */
export async function act(button, fn, done) {
  button.disabled = true;
  try {
    const result = await fn();
    if (done) notify(typeof done === "function" ? done(result) : done);
    return result;
  } catch (err) {
    notify(/** @type {Error} */ (err).message, "error");
  } finally {
    button.disabled = false;
  }
}

/**
 * A two-step button for destructive actions: the first click arms it for four seconds, the second
 * calls `onConfirm`.
 *
 * @param {string} label
 * @param {string} armedLabel what the armed button says
 * @param {(button: HTMLButtonElement) => Promise<unknown>} onConfirm
 * @param {Attrs} [attrs] more attributes, such as an id
 */
export function confirmButton(label, armedLabel, onConfirm, attrs) {
  let armed = false;
  /** @type {ReturnType<typeof setTimeout> | undefined} */
  let timer;
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
