// @ts-check
/// <reference lib="dom" />
/**
 * `/assets/term.js`: job output on the page. {@linkcode termPane} draws what `ansi.js` parses as
 * spans with class names and text nodes only (job output never becomes markup), and
 * {@linkcode followScroll} keeps a box scrolled to its end while the user has not scrolled away.
 *
 * @module
 */

import { h } from "./core.js";
import { Term } from "./ansi.js";
/** @import { Line } from "./ansi.js" */

/**
 * One stream's output: its element, and `write` for each decoded chunk (with a class name to add
 * to its text, such as stderr's in a merged view).
 *
 * @typedef {object} TermPane
 * @property {HTMLElement} el
 * @property {(text: string, mark?: string) => void} write
 */

/**
 * A line's runs as nodes: a span with the run's classes, or a bare text node in the default style.
 *
 * @param {Line} line
 * @returns {Node[]}
 */
function nodesOf(line) {
  return line.map((r) =>
    r.cls ? h("span", { class: r.cls }, r.text) : document.createTextNode(r.text)
  );
}

/**
 * A pane for one stream. Ended lines are appended once; only the line still being written (a
 * progress bar rewriting itself with `\r`) is redrawn on each chunk.
 *
 * @param {string} [title] a heading line, for panes shown together
 * @returns {TermPane}
 */
export function termPane(title) {
  const term = new Term();
  const live = h("span", { class: "term-live" });
  const el = h(
    "div",
    { class: "term-pane" },
    title ? h("div", { class: "term-title" }, title) : null,
    live,
  );
  return {
    el,
    write(text, mark) {
      const lines = term.write(text, mark);
      if (lines.length > 0) {
        const frag = document.createDocumentFragment();
        for (const line of lines) {
          frag.append(...nodesOf(line), "\n");
        }
        el.insertBefore(frag, live);
      }
      live.replaceChildren(...nodesOf(term.current()));
    },
  };
}

/** How close to the end (px) still counts as at the end: zoom makes scrollTop fractional. */
const SLACK = 4;

/**
 * Keeps `box` scrolled to its end as content arrives, until the user scrolls up; then `button`
 * (hidden until then) scrolls back to the end and resumes. Call `changed` after each change of
 * the content, and `reset` when it is replaced by other output (which is then followed again).
 *
 * @param {HTMLElement} box
 * @param {HTMLButtonElement} button
 * @returns {{ changed: () => void; reset: () => void }}
 */
export function followScroll(box, button) {
  let stuck = true;
  const atEnd = () => box.scrollTop + box.clientHeight >= box.scrollHeight - SLACK;
  const show = () => button.classList.toggle("hidden", stuck || atEnd());
  box.addEventListener("scroll", () => {
    stuck = atEnd();
    show();
  });
  button.addEventListener("click", () => {
    stuck = true;
    box.scrollTop = box.scrollHeight;
    show();
    box.focus();
  });
  return {
    changed() {
      if (stuck) box.scrollTop = box.scrollHeight;
      show();
    },
    reset() {
      stuck = true;
      show();
    },
  };
}
