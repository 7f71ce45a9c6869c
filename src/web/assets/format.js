// @ts-check
/**
 * `/assets/format.js`: numbers as the page shows them, pure (no DOM). Every count goes through
 * {@linkcode num}, so `12,345` reads the same on every page, in the reader's own locale.
 *
 * @module
 */

const WHOLE = new Intl.NumberFormat(undefined, { maximumFractionDigits: 0 });
const ONE = new Intl.NumberFormat(undefined, { maximumFractionDigits: 1 });

/**
 * A count with thousands separators: `num(12345)` is `"12,345"` in English. Below 10 a fraction
 * keeps one digit (`2.5`), so a rate of a few per minute is not rounded away.
 *
 * @example
 * ```js
 * num(1234567); // "1,234,567"
 * num(2.54); // "2.5"
 * ```
 *
 * @param {number} n
 * @returns {string}
 */
export function num(n) {
  return (Math.abs(n) < 10 && !Number.isInteger(n) ? ONE : WHOLE).format(n);
}

/**
 * Ticks for an axis from 0 to at least `max`: steps of 1, 2 or 5 times a power of ten, about
 * `count` of them (default 4). The last tick is the axis top.
 *
 * @example
 * ```js
 * niceTicks(4870); // [0, 2000, 4000, 6000] … steps of 2,000
 * niceTicks(0); // [0, 1]
 * ```
 *
 * @param {number} max
 * @param {number} [count]
 * @returns {number[]}
 */
export function niceTicks(max, count) {
  const want = count ?? 4;
  if (!(max > 0)) return [0, 1];
  const raw = max / want;
  const pow = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * pow).find((s) => s >= raw) ?? 10 * pow;
  // Whole numbers only: counts per minute have no fractions.
  const whole = Math.max(1, step);
  const out = [];
  for (let t = 0; t < max + whole; t += whole) {
    out.push(t);
    if (t >= max) break;
  }
  return out;
}

/**
 * Ticks for a log axis (1, 10, 100… up to the first power of ten at or above `max`), with 0 at
 * the bottom for empty minutes.
 *
 * @example
 * ```js
 * logTicks(5000); // [0, 1, 10, 100, 1000, 10000]
 * ```
 *
 * @param {number} max
 * @returns {number[]}
 */
export function logTicks(max) {
  const out = [0, 1];
  while (/** @type {number} */ (out[out.length - 1]) < max) {
    out.push(/** @type {number} */ (out[out.length - 1]) * 10);
  }
  if (out.length === 2) out.push(10);
  return out;
}

/**
 * A duration in the largest whole unit: `"45s"`, `"3m"`, `"5h"`, `"2d"`; `"-"` when unknown.
 * @param {number | null | undefined} ms
 */
export function ago(ms) {
  if (ms === null || ms === undefined) return "-";
  const s = Math.round(ms / 1000);
  if (s < 60) return s + "s";
  if (s < 3600) return Math.round(s / 60) + "m";
  if (s < 172800) return Math.round(s / 3600) + "h";
  return Math.round(s / 86400) + "d";
}

/**
 * How long ago an ISO time was: `"3m ago"`; `"-"` when there is none.
 * @param {string | null | undefined} iso
 */
export function since(iso) {
  if (!iso) return "-";
  return ago(Date.now() - Date.parse(iso)) + " ago";
}

/**
 * An ISO time as `"2025-01-02 03:04:05Z"` (no milliseconds); `"-"` when there is none.
 * @param {string | null | undefined} iso
 */
export function when(iso) {
  if (!iso) return "-";
  return iso.replace("T", " ").replace(/\.\d+Z$/, "Z");
}

/**
 * A run time: milliseconds below a second, else seconds; `"-"` when unknown.
 * @param {number | null | undefined} ms
 */
export function seconds(ms) {
  if (ms === null || ms === undefined) return "-";
  if (ms < 1000) return ms + " ms";
  return (ms / 1000).toFixed(ms < 10000 ? 2 : 1) + " s";
}
