// @ts-check
/// <reference lib="dom" />
/**
 * `/assets/enqueue.js`: the enqueue form. The server validates it exactly as the CLI does and
 * answers a bad field with one line, which the form shows beside the button.
 *
 * @module
 */

import { api, fill, h } from "./core.js";
/** @import { View } from "./core.js" */

/**
 * The enqueue form (`#/enqueue`).
 *
 * @returns {View}
 */
export function enqueueView() {
  /**
   * @param {string} label
   * @param {HTMLElement} input
   * @param {string} [hint]
   */
  const field = (label, input, hint) =>
    h(
      "label",
      { class: "field" },
      h("span", { class: "label" }, label),
      input,
      hint ? h("span", { class: "hint" }, hint) : null,
    );
  const command = h("textarea", {
    name: "command",
    rows: "3",
    required: true,
    spellcheck: "false",
    placeholder: "e.g. make report",
  });
  const id = h("input", { name: "id", placeholder: "generated when empty", autocomplete: "off" });
  const priority = h("input", {
    name: "priority",
    type: "number",
    min: "-1000",
    max: "1000",
    step: "1",
    placeholder: "0",
  });
  const retries = h("input", {
    name: "max_retries",
    type: "number",
    min: "0",
    max: "100",
    step: "1",
    placeholder: "from config",
  });
  const delay = h("input", { name: "delay", placeholder: "e.g. 30s, 5m" });
  const timeout = h("input", { name: "timeout", placeholder: "e.g. 60s; none when empty" });
  // The browser's local time; sent as the UTC instant it names (the API takes ISO 8601).
  const runAt = h("input", { name: "run_at", type: "datetime-local", step: "1" });
  const error = h("p", { class: "form-error", id: "form-error", role: "alert" });
  const submit = h("button", { class: "btn primary", type: "submit" }, "Enqueue");
  const form = h(
    "form",
    { class: "form", id: "enqueue-form", novalidate: true },
    field("Command", command, "run as sh -c by a worker"),
    h(
      "div",
      { class: "row" },
      field("Id", id),
      field("Priority", priority, "-1000 to 1000, higher first"),
      field("Max retries", retries),
    ),
    h(
      "div",
      { class: "row" },
      field("Delay", delay),
      field("Run at", runAt, "your local time; or a delay, not both"),
      field("Timeout", timeout),
    ),
    h("div", { class: "form-foot" }, submit, error),
  );
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    fill(error);
    /** @type {Record<string, string | number>} */
    const spec = { command: command.value };
    if (id.value.trim()) spec.id = id.value.trim();
    if (priority.value !== "") spec.priority = Number(priority.value);
    if (retries.value !== "") spec.max_retries = Number(retries.value);
    if (delay.value.trim()) spec.delay = delay.value.trim();
    if (timeout.value.trim()) spec.timeout = timeout.value.trim();
    if (runAt.value) {
      const at = new Date(runAt.value);
      if (Number.isNaN(at.getTime())) {
        fill(error, "run at is not a date and time");
        return;
      }
      spec.run_at = at.toISOString();
    }
    submit.disabled = true;
    try {
      const job = await api.post("/api/jobs", spec);
      location.hash = "#/job/" + encodeURIComponent(job.id);
    } catch (err) {
      fill(error, /** @type {Error} */ (err).message);
    } finally {
      submit.disabled = false;
    }
  });
  return {
    title: "Enqueue",
    el: h("section", { class: "panel narrow" }, h("h1", {}, "Enqueue a job"), form),
  };
}
