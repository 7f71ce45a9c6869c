// @ts-check
/// <reference lib="dom" />
/**
 * `/assets/jobs.js`: the jobs table, filtered by state, queue and label together, searched by id,
 * label or command, paged by the API's cursors (each page is one bounded index read, so it stays
 * fast at any queue size), with boxes to select jobs for a bulk action (`bulk.js`).
 *
 * @module
 */

import { api, ApiError, fill, h, notify, qs } from "./core.js";
import { bulkSelection, formatCount } from "./bulk.js";
import { listNote } from "./job_list_note.js";
import { filterForm } from "./job_filters.js";
import { table } from "./job_table.js";
/** @import { View } from "./core.js" */
/** @import { Job, JobPage, Queue } from "./api.d.ts" */

const PAGE = 50;

/**
 * The jobs page (`#/jobs?state=…&queue=…&label=k=v&q=…&order=…&sort=…`). State, queue and label
 * combine (a label walks its index with the others filtered inside a bounded scan); every view
 * lists by creation time, a state's also by its latest change (`sort=changed`). A view no index
 * holds in creation order (a queue, a large state) is a bounded walk that may stop before the
 * page fills: the note says how far it looked and offers to go on. A search (`q`: an id, an id
 * prefix, a `k=v` label or command text) runs once, bounded in time, within them.
 *
 * @param {URLSearchParams} query the hash's query
 * @returns {View}
 */
export function jobsView(query) {
  const state = query.get("state") || "";
  const queue = query.get("queue") || "";
  const label = (query.get("label") || "").trim();
  const text = query.get("q") || "";
  // By latest change needs a state's index.
  const sort = state && !label && query.get("sort") === "changed" ? "changed" : "created";
  const order = query.get("order") || "newest";
  const { form, queueSel } = filterForm({ state, queue, label, text, order, sort });

  /** @type {number | null} */
  let total = null;
  const select = bulkSelection({
    actions: ["cancel", "retry", "release", "delete"],
    // "All matching" is the filter; a search's matches are only what it found, so none.
    selector: () => text ? null : label || queue || state ? { state, queue, label } : { all: true },
    total: () => total,
  });
  const body = h("div", { class: "table-wrap" });
  const note = h("p", { class: "note muted" });
  const prev = h("button", { class: "btn", type: "button", disabled: true }, "← Previous");
  const next = h("button", { class: "btn", type: "button", disabled: true }, "Next →");
  const pager = h("div", { class: "pager" }, prev, next);
  const el = h(
    "section",
    { class: "panel" },
    h(
      "h1",
      {},
      "Jobs" + (state ? ": " + state : "") + (queue ? " in queue " + queue : "") +
        (label ? " labeled " + label : ""),
    ),
    form,
    select.bar,
    note,
    body,
    pager,
  );

  // cursors[i] starts page i; searching keeps its own results and cursor.
  /** @type {(string | null | undefined)[]} */
  const cursors = [undefined];
  let page = 0;
  /** @type {string | null} */
  let nextCursor = null;
  /** @type {Job[]} */
  let results = [];
  let scanned = 0;
  // A walk that stopped early, or was taken further, is not re-run on every tick: it may read
  // thousands of jobs.
  let held = false;
  // A view read whole or walked (up to thousands of jobs) is re-read every 5 s, not every second.
  let costly = false;
  let loadedAt = 0;
  // After an action the list follows at once.
  const stopped = new AbortController();
  addEventListener("queuectl:refresh", () => loadedAt = 0, { signal: stopped.signal });
  let last = "";
  // A 400 (a label without `=`, say) will not heal on the next tick: show it once and stop.
  let refused = false;

  /**
   * @param {boolean} reset start the results afresh ("further" and "more" add to them)
   * @param {string | null | undefined} from where to start: this page's cursor unless given
   */
  async function load(reset, from = cursors[page]) {
    /** @type {Record<string, unknown>} */
    const params = { state, queue, label, limit: PAGE, cursor: from, order };
    if (sort === "changed") params.sort = sort;
    if (text) params.q = text;
    /** @type {JobPage} */
    let data;
    try {
      data = await api.get("/api/jobs" + qs(params));
    } catch (err) {
      if (!(err instanceof ApiError) || err.status !== 400) throw err;
      refused = true;
      notify(err.message, "error");
      fill(note, h("span", { class: "err", id: "list-error" }, err.message));
      fill(body);
      prev.hidden = next.hidden = true;
      return;
    }
    nextCursor = data.next_cursor;
    total = data.total ?? null;
    if (!reset) results = results.concat(data.jobs);
    else results = data.jobs;
    if (reset) scanned = 0;
    held = !reset || !!data.partial;
    costly = data.read === "sorted" || data.read === "walk";
    draw(data);
  }

  /** @param {JobPage} data */
  function draw(data) {
    // The ten-second tick keeps the "updated … ago" column from going stale.
    const key = JSON.stringify([results, nextCursor, Math.floor(Date.now() / 10000)]);
    if (key !== last) {
      last = key;
      fill(
        body,
        results.length
          ? table(results, select)
          : h("p", { class: "empty" }, text ? "No job matches." : "No jobs here."),
      );
    }
    select.sync();
    if (text) {
      // A search's answer always says how far it looked.
      const s = /** @type {NonNullable<JobPage["search"]>} */ (data.search);
      scanned += s.scanned;
      const where = state ? " " + state + " job(s)" : " job(s)";
      fill(
        note,
        s.complete
          ? "Searched all" + where + ": " + formatCount(results.length) + " match(es)."
          : "Partial: searched " + formatCount(scanned) + where + " (" +
            (order === "newest" ? "newest" : "oldest") + " first, about a second) and stopped " +
            "there: " + formatCount(results.length) + " match(es) so far. ",
      );
      note.setAttribute("data-partial", String(!s.complete));
      if (!s.complete) {
        note.appendChild(
          h(
            "button",
            { class: "btn small", type: "button", id: "search-more", onclick: more },
            "Search further",
          ),
        );
      }
      prev.hidden = next.hidden = true;
    } else {
      scanned += data.scanned ?? 0;
      fill(
        note,
        ...listNote({
          data,
          page,
          perPage: PAGE,
          total,
          shown: results.length,
          scanned,
          state,
          queue,
          label,
          order,
          sort,
          onMore: more,
        }),
      );
      // A walk that stopped before the page filled says how far it looked, and goes on.
      note.setAttribute("data-partial", String(!!data.partial));
      prev.disabled = page === 0;
      next.disabled = !nextCursor;
    }
  }

  async function more() {
    await load(false, nextCursor);
  }
  prev.addEventListener("click", async () => {
    if (page === 0) return;
    page--;
    await load(true);
    scrollTo(0, 0);
  });
  next.addEventListener("click", async () => {
    if (!nextCursor) return;
    cursors[page + 1] = nextCursor;
    page++;
    await load(true);
    scrollTo(0, 0);
  });

  let loaded = false;
  let queuesListed = false;
  return {
    title: "Jobs",
    el,
    stop: () => stopped.abort(),
    async refresh() {
      if (!queuesListed) {
        /** @type {Queue[]} */
        const queues = await api.get("/api/queues");
        queuesListed = true;
        const names = queues.map((x) => x.name);
        if (queue && !names.includes(queue)) names.push(queue);
        fill(
          queueSel,
          h("option", { value: "" }, "all queues"),
          names.map((n) => h("option", { value: n, selected: n === queue }, n)),
        );
      }
      // A search is run once (and on "Search further"), not on every tick: it may scan many jobs.
      if (((text || held) && loaded) || refused) return;
      if (costly && Date.now() - loadedAt < 5000) return;
      loaded = true;
      loadedAt = Date.now();
      await load(true);
    },
  };
}
