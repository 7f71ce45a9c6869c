// @ts-check
/// <reference lib="dom" />
/**
 * `/assets/job_filters.js`: the jobs page's toolbar: state, queue, label, search, sort and order,
 * each change written to the page's hash (so a view is a link).
 *
 * @module
 */

import { h, qs, STATES } from "./core.js";

/**
 * The toolbar for the view the hash names; a change navigates to the new view.
 *
 * @param {{
 *   state: string, queue: string, label: string, text: string, order: string, sort: string,
 * }} view the current view
 * @returns {{ form: HTMLFormElement, queueSel: HTMLSelectElement }}
 */
export function filterForm(view) {
  const { state, queue, label, text, order, sort } = view;
  // Its options come from /api/queues on the first refresh; the current one is there at once.
  const queueSel = h(
    "select",
    { name: "queue", "aria-label": "queue" },
    h("option", { value: "" }, "all queues"),
    queue ? h("option", { value: queue, selected: true }, queue) : null,
  );
  const stateSel = h(
    "select",
    { name: "state", "aria-label": "state" },
    h("option", { value: "" }, "all states"),
    STATES.map((s) => h("option", { value: s, selected: s === state }, s)),
  );
  const orderSel = h(
    "select",
    { name: "order", "aria-label": "order" },
    h(
      "option",
      { value: "newest", selected: order === "newest" },
      "newest first",
    ),
    h("option", { value: "oldest", selected: order === "oldest" }, "oldest first"),
  );
  const sortSel = h(
    "select",
    {
      name: "sort",
      "aria-label": "sort",
      disabled: !state || !!label,
      title: "by creation time, or (for one state) by when jobs entered it",
    },
    h("option", { value: "created", selected: sort === "created" }, "by creation"),
    h("option", { value: "changed", selected: sort === "changed" }, "by last change"),
  );
  const search = h("input", {
    type: "search",
    name: "q",
    value: text,
    placeholder: "id, k=v label or command…",
    "aria-label": "search",
  });
  const labelBox = h("input", {
    type: "text",
    name: "label",
    value: label,
    placeholder: "label k=v",
    "aria-label": "label",
    title: "only jobs with this label (with a queue or state too, filtered within its index)",
  });
  const form = h(
    "form",
    { class: "toolbar", role: "search" },
    stateSel,
    queueSel,
    labelBox,
    search,
    sortSel,
    orderSel,
    h("button", { class: "btn", type: "submit" }, "Search"),
  );
  const go = () => {
    const l = labelBox.value.trim();
    location.hash = "#/jobs" +
      qs({
        state: stateSel.value,
        queue: queueSel.value,
        label: l,
        q: search.value.trim(),
        order: orderSel.value === "newest" ? "" : orderSel.value,
        sort: stateSel.value && !l && sortSel.value === "changed" ? "changed" : "",
      });
  };
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    go();
  });
  stateSel.addEventListener("change", () => go());
  queueSel.addEventListener("change", () => go());
  orderSel.addEventListener("change", () => go());
  sortSel.addEventListener("change", () => go());

  return { form, queueSel };
}
