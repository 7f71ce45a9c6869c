// @ts-check
/// <reference lib="dom" />
/**
 * `/assets/job_output.js`: the job page's output panel. It follows a running attempt by fetching
 * only the bytes past what it already shows, draws them through `term.js`, keeps the box at its
 * end while the user has not scrolled away, and links each shown stream's raw download.
 * "stdout + stderr" is the merged view: both streams in the order the worker read them (as a
 * terminal would have shown them), stderr's stretches tinted.
 *
 * @module
 */

import { ApiError, fill, h, qs } from "./core.js";
import { num } from "./format.js";
import { followScroll, termPane } from "./term.js";

/**
 * One stream (or the merged view) being followed: how many bytes are shown, a decoder per source
 * stream that carries a character split across two reads over to the next, and the pane.
 *
 * @typedef {object} Follow
 * @property {string} stream
 * @property {number} offset
 * @property {{ stdout: TextDecoder; stderr: TextDecoder }} decoders
 * @property {boolean} running
 * @property {boolean} truncated
 * @property {import("./term.js").TermPane} pane
 */

/** The output shown: which attempt and stream choice, and each stream's {@linkcode Follow}. */
/** @typedef {{ attempt: number | null; choice: string | null; streams: Follow[] }} Shown */

/**
 * The output panel: `el` to place, `attempts` with the job's attempt numbers on each refresh (it
 * follows the latest until the user picks one), and `poll` to fetch what is new.
 *
 * @example
 * ```js
 * const output = outputPanel();
 * output.attempts([1, 2]);
 * await output.poll("a1");
 * ```
 *
 * @returns {{ el: HTMLElement; attempts: (ns: number[]) => void; poll: (id: string) => Promise<void> }}
 */
export function outputPanel() {
  const streamSel = h(
    "select",
    { name: "stream", "aria-label": "stream" },
    h("option", { value: "stdout" }, "stdout"),
    h("option", { value: "stderr" }, "stderr"),
    h("option", { value: "merged" }, "stdout + stderr"),
  );
  const attemptSel = h("select", { name: "attempt", "aria-label": "attempt" });
  const outState = h("span", { class: "muted", id: "output-state" });
  const output = h("pre", {
    class: "output",
    id: "output",
    tabindex: "0",
    "aria-label": "job output",
  });
  const downloads = h("span", { class: "downloads" });
  const jump = h(
    "button",
    { class: "btn small jump hidden", type: "button", id: "output-jump" },
    "Jump to end ↓",
  );
  const scroller = followScroll(output, jump);
  const el = h(
    "section",
    { class: "panel" },
    h(
      "div",
      { class: "panel-head" },
      h("h2", {}, "Output"),
      h("div", { class: "toolbar" }, attemptSel, streamSel, downloads, outState),
    ),
    h("div", { class: "output-box" }, output, jump),
  );
  /** @type {Shown} */
  let shown = { attempt: null, choice: null, streams: [] };
  const refreshSoon = () => dispatchEvent(new Event("queuectl:refresh"));
  // The output follows the latest attempt until the user picks one.
  let pinned = false;
  streamSel.addEventListener("change", () => {
    shown.attempt = null;
    refreshSoon();
  });
  attemptSel.addEventListener("change", () => {
    pinned = true;
    shown.attempt = null;
    refreshSoon();
  });

  /** @param {number[]} ns the attempts, oldest first */
  function attempts(ns) {
    const chosen = attemptSel.value;
    fill(
      attemptSel,
      ns.slice().reverse().map((n) => h("option", { value: String(n) }, "attempt " + n)),
    );
    if (pinned && ns.some((n) => String(n) === chosen)) attemptSel.value = chosen;
  }

  /** @param {string} id */
  async function poll(id) {
    const n = Number(attemptSel.value || 0);
    if (!n) {
      fill(outState, "not run yet");
      fill(output);
      fill(downloads);
      return;
    }
    const choice = streamSel.value;
    if (shown.attempt !== n || shown.choice !== choice) {
      shown = {
        attempt: n,
        choice,
        streams: [{
          stream: choice,
          offset: 0,
          decoders: { stdout: new TextDecoder(), stderr: new TextDecoder() },
          running: true,
          truncated: false,
          pane: termPane(),
        }],
      };
      fill(output, shown.streams.map((f) => f.pane.el));
      fill(
        downloads,
        h("a", {
          class: "btn small ghost",
          href: "/api/jobs/" + encodeURIComponent(id) + "/output" +
            qs({ stream: choice, attempt: n }),
          download: "",
          "data-download": choice,
        }, "download raw"),
      );
      scroller.reset();
    }
    for (const f of shown.streams) {
      if (!f.running && f.offset > 0) continue;
      await readMore(id, n, f);
    }
    scroller.changed();
    const running = shown.streams.some((f) => f.running);
    const bytes = shown.streams.reduce((sum, f) => sum + f.offset, 0);
    const size = bytes === 0 ? "no output" : num(bytes) + " bytes";
    const truncated = shown.streams.some((f) => f.truncated);
    fill(
      outState,
      running
        ? "live: following the running attempt"
        : (truncated ? size + ", cut at the output limit" : size),
    );
  }

  /**
   * Fetches the bytes of one stream past what it shows, and writes them into its pane.
   *
   * @param {string} id
   * @param {number} n
   * @param {Follow} f
   */
  async function readMore(id, n, f) {
    const res = await fetch(
      "/api/jobs/" + encodeURIComponent(id) + "/logs" +
        qs({ stream: f.stream, attempt: n, offset: f.offset }),
      { credentials: "same-origin" },
    );
    if (!res.ok) throw new ApiError(res.status, "could not read the output");
    const bytes = new Uint8Array(await res.arrayBuffer());
    f.offset = Number(res.headers.get("X-Queuectl-Offset") || 0);
    f.running = res.headers.get("X-Queuectl-Running") === "true";
    f.truncated = res.headers.get("X-Queuectl-Truncated") === "true";
    for (const part of stretches(bytes, f.stream, res.headers.get("X-Queuectl-Streams"))) {
      const text = f.decoders[part.stream].decode(part.bytes, { stream: f.running });
      // Tinted only among stdout: a stderr view alone is all stderr.
      const tint = f.stream === "merged" && part.stream === "stderr";
      if (text) f.pane.write(text, tint ? "term-err" : undefined);
    }
  }

  return { el, attempts, poll };
}

/**
 * A read's bytes cut by the stream each stretch came from: `marks` is the API's
 * `X-Queuectl-Streams` (`o3,e5`), given for merged reads; without it, all is `stream`'s (a merged
 * read with too many stretches to name is shown untinted).
 *
 * @param {Uint8Array} bytes
 * @param {string} stream
 * @param {string | null} marks
 * @returns {{ stream: "stdout" | "stderr"; bytes: Uint8Array }[]}
 */
function stretches(bytes, stream, marks) {
  if (!marks) return [{ stream: stream === "stderr" ? "stderr" : "stdout", bytes }];
  let at = 0;
  return marks.split(",").map((m) => {
    const size = Number(m.slice(1));
    const part = bytes.subarray(at, at + size);
    at += size;
    return { stream: m[0] === "e" ? "stderr" : "stdout", bytes: part };
  });
}
