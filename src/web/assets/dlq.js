// @ts-check
/// <reference lib="dom" />
/**
 * `/assets/dlq.js`: the Dead Letter Queue: dead jobs, retry one, retry all, purge.
 *
 * @module
 */

import { act, api, confirmButton, fill, h, jobHref, qs, since, thead } from "./core.js";
import { bulkSelection, formatCount } from "./bulk.js";
/** @import { View } from "./core.js" */
/** @import { JobPage } from "./api.d.ts" */

const PAGE = 50;

/**
 * The Dead Letter Queue page (`#/dlq`).
 *
 * @returns {View}
 */
export function dlqView() {
  const count = h("span", { class: "muted", id: "dlq-total" });
  const refreshSoon = () => dispatchEvent(new Event("queuectl:refresh"));
  const retryAll = h(
    "button",
    { class: "btn primary", type: "button", id: "retry-all" },
    "Retry all",
  );
  retryAll.addEventListener(
    "click",
    () =>
      act(retryAll, () => api.post("/api/dlq/retry"), (r) => "requeued " + r.requeued + " job(s)")
        .then(refreshSoon),
  );
  const purge = confirmButton(
    "Purge",
    "Really delete all dead jobs?",
    (b) =>
      act(b, () => api.post("/api/dlq/purge"), (r) => "purged " + r.purged + " job(s)").then(
        refreshSoon,
      ),
    { id: "purge" },
  );
  let dead = 0;
  const select = bulkSelection({
    actions: ["retry", "delete"],
    selector: () => ({ state: "dead" }),
    total: () => dead,
  });
  const body = h("div", { class: "table-wrap" });
  const more = h("p", { class: "note muted" });
  const el = h(
    "section",
    { class: "panel" },
    h(
      "div",
      { class: "panel-head" },
      h("h1", {}, "Dead Letter Queue"),
      count,
      h("div", { class: "actions" }, retryAll, purge),
    ),
    h(
      "p",
      { class: "muted" },
      "Jobs whose retries are spent. A retry gives a job a fresh set of attempts; its history is kept.",
    ),
    select.bar,
    body,
    more,
  );
  let last = "";

  return {
    title: "Dead Letter Queue",
    el,
    async refresh(status) {
      /** @type {JobPage} */
      // The latest deaths first, from the state's own index: one short read every second,
      // however many jobs there are (by creation time a large DLQ would need a walk).
      const data = await api.get(
        "/api/jobs" + qs({ state: "dead", limit: PAGE, order: "newest", sort: "changed" }),
      );
      dead = status.dlq;
      fill(count, formatCount(status.dlq) + " job(s)");
      retryAll.disabled = purge.disabled = status.dlq === 0;
      if (data.next_cursor) {
        fill(
          more,
          "Showing the " + PAGE + " that died last. ",
          h("a", { href: "#/jobs?state=dead&sort=changed" }, "Page through all dead jobs"),
        );
      } else fill(more);
      const key = JSON.stringify([data.jobs, Math.floor(Date.now() / 10000)]);
      select.sync();
      if (key === last) return;
      last = key;
      if (!data.jobs.length) {
        fill(body, h("p", { class: "empty" }, "The DLQ is empty."));
        return;
      }
      fill(
        body,
        h(
          "table",
          { class: "grid jobs" },
          withPick(
            thead(["ID", "Tries", "Died", "Command", "Last error", ""]),
            select.headBox(data.jobs.map((j) => j.id)),
          ),
          h(
            "tbody",
            {},
            data.jobs.map((j) =>
              h(
                "tr",
                { "data-job": j.id },
                h("td", { class: "pick" }, select.rowBox(j.id)),
                h("td", { class: "mono id" }, h("a", { href: jobHref(j.id) }, j.id)),
                h("td", { class: "num" }, j.attempts + "/" + (1 + j.max_retries)),
                h("td", { title: j.updated_at }, since(j.updated_at)),
                h("td", { class: "mono cmd", title: j.command }, j.command),
                h("td", { class: "err", title: j.last_error || "" }, j.last_error || ""),
                h(
                  "td",
                  { class: "row-actions" },
                  h("button", {
                    class: "btn small",
                    type: "button",
                    "data-retry": j.id,
                    onclick: (e) =>
                      act(
                        /** @type {HTMLButtonElement} */ (e.target),
                        () => api.post("/api/jobs/" + encodeURIComponent(j.id) + "/retry"),
                        j.id + " requeued",
                      ).then(refreshSoon),
                  }, "Retry"),
                ),
              )
            ),
          ),
        ),
      );
    },
  };
}

/**
 * A table head with the page's selection box before its first column.
 * @param {HTMLTableSectionElement} head
 * @param {HTMLInputElement} box
 */
function withPick(head, box) {
  head.rows[0]?.prepend(h("th", { class: "pick" }, box));
  return head;
}
