/**
 * Durations as users type them (`500ms`, `1.5s`, `1h30m`) and as queuectl prints them.
 * Everything is in integer milliseconds.
 *
 * @module
 */

import { UsageError } from "./errors.ts";
import { numberText } from "./number_text.ts";
import { showValue } from "./suggest.ts";

const UNIT_MS: Readonly<Record<string, number>> = {
  ms: 1,
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
};

const NUMBER = String.raw`(?:\d+(?:\.\d*)?|\.\d+)`;
const BARE = new RegExp(`^${NUMBER}$`);
// Compound forms such as `1h30m` are accepted so that formatDuration's output reads back.
const COMPOUND = new RegExp(`^(?:${NUMBER}(?:ms|s|m|h|d))+$`, "i");
const PART = new RegExp(`(${NUMBER})(ms|s|m|h|d)`, "gi");

/**
 * Reads a duration and returns whole milliseconds.
 *
 * Accepts `500ms`, `30s`, `5m`, `2h`, `1d`, decimals (`1.5s`), compounds (`1h30m`) and bare
 * numbers, which are seconds unless `bareUnit: "ms"`. Numbers follow the bare rule too.
 * Throws UsageError for negative, empty, non-finite or unit-less-but-unknown input, and for
 * text with whitespace around it (`numberText`'s rule; `name` is what its message calls it).
 *
 * @example
 * ```ts
 * parseDuration("1.5s"); // 1500
 * parseDuration(30); // 30000
 * parseDuration("250", { bareUnit: "ms" }); // 250
 * ```
 */
export function parseDuration(
  text: string | number,
  options: { bareUnit?: "s" | "ms"; name?: string } = {},
): number {
  const bareMs = UNIT_MS[options.bareUnit ?? "s"] ?? 1_000;
  let ms: number;
  if (typeof text === "number") {
    if (!Number.isFinite(text) || text < 0) throw invalid(text);
    ms = text * bareMs;
  } else if (typeof text === "string") {
    numberText(text, options.name ?? "a duration");
    if (BARE.test(text)) {
      ms = Number(text) * bareMs;
    } else if (COMPOUND.test(text)) {
      ms = 0;
      for (const [, amount, unit] of text.matchAll(PART)) {
        ms += Number(amount) * (UNIT_MS[unit?.toLowerCase() ?? ""] ?? NaN);
      }
    } else {
      throw invalid(text);
    }
  } else {
    throw invalid(text);
  }
  ms = Math.round(ms);
  if (!Number.isSafeInteger(ms)) {
    throw new UsageError(`duration is too large, got ${showValue(text)}`);
  }
  return ms;
}

/**
 * Prints milliseconds compactly: `0ms`, `500ms`, `1.5s`, `30s`, `5m`, `1h30m`, `2d`.
 * The output reads back through parseDuration. Negative values get a leading `-`.
 *
 * @example
 * ```ts
 * formatDuration(5_400_000); // "1h30m"
 * formatDuration(1500); // "1.5s"
 * ```
 */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) {
    throw new UsageError(`cannot format a duration that is not a finite number, got ${ms}`);
  }
  if (ms < 0) return `-${formatDuration(-ms)}`;
  let rest = Math.round(ms);
  if (rest < 1_000) return `${rest}ms`;
  let out = "";
  for (const unit of ["d", "h", "m"] as const) {
    const size = UNIT_MS[unit] ?? 1;
    const count = Math.floor(rest / size);
    if (count > 0) out += `${count}${unit}`;
    rest -= count * size;
  }
  // Leftover milliseconds ride on the seconds as decimals (1.5s) rather than a separate "ms".
  if (rest > 0) out += `${rest / 1_000}s`;
  return out;
}

function invalid(text: unknown): UsageError {
  return new UsageError(
    `invalid duration ${showValue(text)}: expected a non-negative number with a unit ` +
      `ms, s, m, h or d (e.g. 500ms, 30s, 1h30m)`,
  );
}
