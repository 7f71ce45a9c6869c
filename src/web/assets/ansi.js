// @ts-check
/**
 * `/assets/ansi.js`: a tiny terminal for job output, pure (no DOM), so Deno tests it directly.
 * It turns bytes already decoded to text into lines of styled runs: SGR colours and styles become
 * class names (never markup), `\r` moves back to the start of the line so the next text
 * overwrites it (`50%\r75%\r100%\n` is one line `100%`), `\b` steps back, `ESC[K` erases to the
 * end of the line, and every other escape sequence or control character is dropped.
 *
 * @module
 */

/**
 * A stretch of text in one style. `cls` is a space-separated list of `a-…` class names, empty
 * for the default style.
 *
 * @typedef {{ text: string; cls: string }} Run
 */

/** @typedef {Run[]} Line */

/**
 * The current style: foreground and background colour indexes (0–15, or -1 for the default)
 * and the four attributes.
 *
 * @typedef {{ fg: number; bg: number; bold: boolean; dim: boolean; italic: boolean; under: boolean }} Style
 */

/** @returns {Style} */
function plain() {
  return { fg: -1, bg: -1, bold: false, dim: false, italic: false, under: false };
}

/**
 * The class names of a style.
 *
 * @param {Style} s
 * @returns {string}
 */
function classOf(s) {
  const out = [];
  if (s.fg >= 0) out.push("a-fg" + s.fg);
  if (s.bg >= 0) out.push("a-bg" + s.bg);
  if (s.bold) out.push("a-b");
  if (s.dim) out.push("a-dim");
  if (s.italic) out.push("a-i");
  if (s.under) out.push("a-u");
  return out.join(" ");
}

/**
 * The nearest of the 16 colours to a 256-colour index: the first 16 are themselves; the 6×6×6
 * cube takes a bit per channel at its upper half, bright when a channel is at its top; the grey
 * ramp is black, bright black, white or bright white by its level.
 *
 * @example
 * ```js
 * nearest16(196); // 9: the cube's pure red is bright red
 * ```
 *
 * @param {number} n 0–255
 * @returns {number} 0–15
 */
export function nearest16(n) {
  if (n < 16) return n;
  if (n >= 232) {
    const level = n - 232; // 0–23
    return level < 6 ? 0 : level < 12 ? 8 : level < 20 ? 7 : 15;
  }
  const c = n - 16;
  const r = Math.floor(c / 36), g = Math.floor(c / 6) % 6, b = c % 6;
  const bits = (r >= 3 ? 1 : 0) | (g >= 3 ? 2 : 0) | (b >= 3 ? 4 : 0);
  const top = Math.max(r, g, b);
  return bits === 0 ? (top >= 2 ? 8 : 0) : bits + (top >= 5 ? 8 : 0);
}

/**
 * Applies one SGR sequence's parameters to a style (returns a new one). 256-colour indexes map
 * to the nearest of the 16 classes ({@linkcode nearest16}); true colour is skipped (its
 * parameters are consumed so they are not read as other codes).
 *
 * @param {Style} style
 * @param {number[]} params
 * @returns {Style}
 */
export function applySgr(style, params) {
  const s = { ...style };
  const p = params.length === 0 ? [0] : params;
  for (let i = 0; i < p.length; i++) {
    const c = /** @type {number} */ (p[i]);
    if (c === 0) Object.assign(s, plain());
    else if (c === 1) s.bold = true;
    else if (c === 2) s.dim = true;
    else if (c === 3) s.italic = true;
    else if (c === 4) s.under = true;
    else if (c === 22) s.bold = s.dim = false;
    else if (c === 23) s.italic = false;
    else if (c === 24) s.under = false;
    else if (c >= 30 && c <= 37) s.fg = c - 30;
    else if (c >= 90 && c <= 97) s.fg = c - 90 + 8;
    else if (c === 39) s.fg = -1;
    else if (c >= 40 && c <= 47) s.bg = c - 40;
    else if (c >= 100 && c <= 107) s.bg = c - 100 + 8;
    else if (c === 49) s.bg = -1;
    else if (c === 38 || c === 48) {
      const mode = p[i + 1];
      if (mode === 5) {
        const n = p[i + 2] ?? -1;
        if (n >= 0 && n < 256) {
          if (c === 38) s.fg = nearest16(n);
          else s.bg = nearest16(n);
        }
        i += 2;
      } else if (mode === 2) i += 4;
    }
  }
  return s;
}

/**
 * A terminal that output is written into chunk by chunk. Lines that ended (`\n`) are handed
 * back by {@linkcode Term.write}; the line still being written is {@linkcode Term.current}, so
 * the page redraws only that one. An escape sequence split between two chunks is kept until the
 * rest arrives.
 *
 * @example
 * ```ts
 * const t = new Term();
 * t.write("\x1b[31mred\x1b[0m 50%\r"); // [] (nothing ended yet)
 * t.current(); // [{ text: "red", cls: "a-fg1" }, { text: " 50%", cls: "" }]
 * t.write("\n"); // [[{ text: "red", cls: "a-fg1" }, { text: " 50%", cls: "" }]]
 * ```
 */
export class Term {
  /** @type {Style} */
  #style = plain();
  /** The current line, one entry per column: its character and class. @type {{ ch: string; cls: string }[]} */
  #cells = [];
  #col = 0;
  /** The tail of the last chunk: an escape sequence not yet complete. */
  #pending = "";

  /**
   * Writes text; returns the lines it completed. `mark`, a class name, is added to the text's
   * own (stderr's stretches in a merged view), without changing the style that follows.
   *
   * @param {string} text
   * @param {string} [mark]
   * @returns {Line[]}
   */
  write(text, mark = "") {
    const s = this.#pending + text;
    this.#pending = "";
    /** @type {Line[]} */
    const done = [];
    const marked = (/** @type {string} */ c) => (mark ? (c ? c + " " + mark : mark) : c);
    let cls = marked(classOf(this.#style));
    let i = 0;
    while (i < s.length) {
      const ch = /** @type {string} */ (s[i]);
      if (ch === "\x1b") {
        const end = escapeEnd(s, i);
        if (end === -1) {
          // Incomplete: wait for the rest (a runaway one is dropped rather than kept forever).
          if (s.length - i < 64) this.#pending = s.slice(i);
          break;
        }
        const seq = s.slice(i, end);
        const csi = /^\[([0-9;:]*)([@-~])$/.exec(seq.slice(1));
        if (csi && csi[2] === "m") {
          const params = (csi[1] || "").split(/[;:]/).filter((x) => x !== "").map(Number);
          this.#style = applySgr(this.#style, params);
          cls = marked(classOf(this.#style));
        } else if (csi && csi[2] === "K") {
          const mode = csi[1] || "0";
          if (mode === "0") this.#cells.length = Math.min(this.#cells.length, this.#col);
          else if (mode === "2") this.#cells = [];
        }
        i = end;
        continue;
      }
      if (ch === "\n") {
        done.push(runsOf(this.#cells));
        this.#cells = [];
        this.#col = 0;
      } else if (ch === "\r") {
        // `\r\n` is a plain line end; a lone `\r` returns to the line's start.
        this.#col = 0;
      } else if (ch === "\b") {
        this.#col = Math.max(0, this.#col - 1);
      } else if (ch >= " " || ch === "\t") {
        if (this.#col < this.#cells.length) this.#cells[this.#col] = { ch, cls };
        else this.#cells.push({ ch, cls });
        this.#col++;
      }
      i++;
    }
    return done;
  }

  /**
   * The line being written (not yet ended by `\n`).
   *
   * @returns {Line}
   */
  current() {
    return runsOf(this.#cells);
  }
}

/**
 * Where the escape sequence starting at `i` ends (the index after it), or -1 if the text stops
 * before it is complete. CSI (`ESC [`) ends at a final byte `@`–`~`; OSC (`ESC ]`) at BEL or
 * `ESC \`; any other ends at its first byte past the intermediates (`ESC ( B` is three).
 *
 * @param {string} s
 * @param {number} i
 * @returns {number}
 */
function escapeEnd(s, i) {
  const next = s[i + 1];
  if (next === undefined) return -1;
  if (next === "[") {
    for (let j = i + 2; j < s.length; j++) {
      const c = s.charCodeAt(j);
      if (c >= 0x40 && c <= 0x7e) return j + 1;
    }
    return -1;
  }
  if (next === "]") {
    for (let j = i + 2; j < s.length; j++) {
      if (s[j] === "\x07") return j + 1;
      if (s[j] === "\x1b" && s[j + 1] === "\\") return j + 2;
    }
    return -1;
  }
  // `ESC ( B` and the like: intermediate bytes (0x20–0x2f), then one final byte.
  let j = i + 1;
  while (j < s.length && s.charCodeAt(j) >= 0x20 && s.charCodeAt(j) <= 0x2f) j++;
  return j < s.length ? j + 1 : -1;
}

/**
 * Cells merged into runs of one class.
 *
 * @param {{ ch: string; cls: string }[]} cells
 * @returns {Line}
 */
function runsOf(cells) {
  /** @type {Line} */
  const out = [];
  for (const c of cells) {
    const last = out[out.length - 1];
    if (last && last.cls === c.cls) last.text += c.ch;
    else out.push({ text: c.ch, cls: c.cls });
  }
  return out;
}

/**
 * A whole output at once: every line, the unfinished last one included when it has text.
 *
 * @example
 * ```ts
 * renderAnsi("50%\r75%\r100%\n"); // [[{ text: "100%", cls: "" }]]
 * ```
 *
 * @param {string} text
 * @returns {Line[]}
 */
export function renderAnsi(text) {
  const t = new Term();
  const lines = t.write(text);
  const last = t.current();
  if (last.length > 0) lines.push(last);
  return lines;
}
