// @ts-check
/// <reference lib="dom" />
/**
 * `/assets/bulk.js`: selecting jobs on the jobs and DLQ pages (a box per row, one for the page,
 * "select all N matching" for the current filter) and applying cancel, delete, retry or release
 * to them in one `POST /api/jobs/bulk`, whose NDJSON answer drives a progress bar and ends with
 * the counts changed, skipped and not found.
 *
 * @module
 */

import { ApiError, confirmButton, fill, h, notify } from "./core.js";
/** @import { BulkLine } from "./api.d.ts" */

const COUNT = new Intl.NumberFormat("en-US");

/**
 * A count with thousands separators: `1,000`.
 * @param {number} n
 */
export function formatCount(n) {
  return COUNT.format(n);
}

/**
 * Sends a bulk request and calls `onLine` for each line of its answer; resolves to the last.
 *
 * @param {Record<string, unknown>} body
 * @param {(line: BulkLine) => void} onLine
 * @returns {Promise<BulkLine>}
 */
export async function postBulk(body, onLine) {
  const res = await fetch("/api/jobs/bulk", {
    method: "POST",
    credentials: "same-origin",
    headers: { "Content-Type": "application/json", Accept: "application/x-ndjson" },
    body: JSON.stringify(body),
  });
  if (res.status === 401) {
    location.href = "/login";
    throw new ApiError(401, "login needed");
  }
  if (!res.ok || !res.body) {
    const data = await res.json().catch(() => null);
    throw new ApiError(res.status, (data && data.error) || ("HTTP " + res.status));
  }
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
  let rest = "";
  /** @type {BulkLine} */
  let last = {};
  for (;;) {
    const { done, value } = await reader.read();
    if (value) rest += value;
    const lines = rest.split("\n");
    rest = done ? "" : /** @type {string} */ (lines.pop());
    for (const text of lines) {
      if (!text.trim()) continue;
      last = JSON.parse(text);
      onLine(last);
    }
    if (done) break;
  }
  if (last.error) throw new ApiError(500, last.error);
  return last;
}

/** @typedef {"cancel" | "delete" | "retry" | "release"} BulkAction */

/**
 * What a page tells the selection: the actions it offers, the filter "select all matching"
 * stands for (null: none, e.g. under a text search), and how many jobs it holds (null: unknown).
 *
 * @typedef {object} BulkOptions
 * @property {BulkAction[]} actions
 * @property {() => Record<string, unknown> | null} selector
 * @property {() => number | null} total
 */

/**
 * A selection of jobs and its action bar.
 *
 * @param {BulkOptions} options
 */
export function bulkSelection(options) {
  /** @type {Set<string>} */
  const selected = new Set();
  /** @type {string[]} */
  let pageIds = [];
  let allMatching = false;
  let running = false;
  /** @type {Set<HTMLInputElement>} */
  let boxes = new Set();
  /** @type {HTMLInputElement | null} */
  let head = null;

  const count = h("span", { class: "bulk-count", id: "bulk-count" });
  const selectAll = h("button", {
    class: "btn small",
    type: "button",
    id: "bulk-select-all",
    onclick: () => {
      allMatching = true;
      sync();
    },
  });
  const clear = h("button", {
    class: "btn small",
    type: "button",
    id: "bulk-clear",
    onclick: () => reset(),
  }, "Clear");
  const progress = h("progress", { class: "bulk-progress hidden", id: "bulk-progress" });
  const status = h("span", { class: "bulk-status", id: "bulk-status", role: "status" });
  /** @type {HTMLButtonElement[]} */
  const buttons = options.actions.map((action) => {
    const label = action[0]?.toUpperCase() + action.slice(1);
    const attrs = { id: "bulk-" + action, "data-bulk": action };
    return action === "delete"
      ? confirmButton(label, "Really delete?", () => run(action), attrs)
      : h("button", { ...attrs, class: "btn", type: "button", onclick: () => run(action) }, label);
  });
  const bar = h(
    "div",
    { class: "bulk-bar", id: "bulk-bar" },
    count,
    selectAll,
    clear,
    h("span", { class: "bulk-actions" }, buttons),
    progress,
    status,
  );

  function size() {
    return allMatching ? options.total() : selected.size;
  }

  function sync() {
    const n = size();
    const total = options.total();
    fill(
      count,
      allMatching
        ? "All " + (total === null ? "" : formatCount(total) + " ") + "matching selected"
        : formatCount(selected.size) + " selected",
    );
    const canAll = options.selector() !== null && !allMatching && pageIds.length > 0 &&
      pageIds.every((id) => selected.has(id));
    selectAll.hidden = !canAll;
    fill(
      selectAll,
      "Select all " + (total === null ? "" : formatCount(total) + " ") + "matching",
    );
    clear.hidden = !allMatching && selected.size === 0;
    for (const b of buttons) b.disabled = running || (!allMatching && selected.size === 0);
    for (const box of boxes) {
      box.checked = allMatching || selected.has(box.value);
      box.disabled = allMatching || running;
    }
    if (head) {
      head.checked = allMatching || (pageIds.length > 0 && pageIds.every((id) => selected.has(id)));
      head.disabled = allMatching || running || pageIds.length === 0;
    }
    bar.classList.toggle("active", n !== 0);
  }

  function reset() {
    selected.clear();
    allMatching = false;
    sync();
  }

  /** @param {BulkAction} action */
  async function run(action) {
    const selector = allMatching ? options.selector() : null;
    const body = selector ? { action, selector } : { action, ids: [...selected] };
    running = true;
    progress.classList.remove("hidden");
    progress.removeAttribute("value");
    fill(status, action + "…");
    sync();
    try {
      const last = await postBulk(body, (line) => {
        if (line.done === undefined) return;
        if (line.total) {
          progress.max = line.total;
          progress.value = Math.min(line.done, line.total);
        }
        fill(
          status,
          action + ": " + formatCount(line.done) +
            (line.total ? " of " + formatCount(line.total) : "") + " looked at",
        );
      });
      const r = last.result;
      if (r) {
        const text = action + ": " + formatCount(r.changed) + " changed, " +
          formatCount(r.skipped) + " skipped, " + formatCount(r.not_found) + " not found";
        fill(status, text);
        notify(text);
      }
      selected.clear();
      allMatching = false;
    } catch (err) {
      fill(status, /** @type {Error} */ (err).message);
      notify(/** @type {Error} */ (err).message, "error");
    } finally {
      running = false;
      progress.classList.add("hidden");
      sync();
      dispatchEvent(new Event("queuectl:refresh"));
    }
  }

  return {
    bar,
    /**
     * The box of one row.
     * @param {string} id
     */
    rowBox(id) {
      const box = h("input", {
        type: "checkbox",
        class: "bulk-box",
        value: id,
        "aria-label": "select " + id,
        onchange: () => {
          if (box.checked) selected.add(id);
          else selected.delete(id);
          sync();
        },
      });
      boxes.add(box);
      return box;
    },
    /**
     * The page's box, in the table head; a new table calls it with its rows' ids.
     * @param {string[]} ids
     */
    headBox(ids) {
      pageIds = ids;
      boxes = new Set();
      head = h("input", {
        type: "checkbox",
        class: "bulk-box",
        id: "bulk-page",
        "aria-label": "select this page",
        onchange: () => {
          const on = /** @type {HTMLInputElement} */ (head).checked;
          for (const id of pageIds) on ? selected.add(id) : selected.delete(id);
          sync();
        },
      });
      queueMicrotask(sync);
      return head;
    },
    /** Forgets the selection (the filter changed). */
    reset,
    /** Shows the selection again (the total may have changed). */
    sync,
  };
}
