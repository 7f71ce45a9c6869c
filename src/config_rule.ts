/**
 * The shapes of a config key's rule, one builder per kind of value (ms, duration, bytes, free
 * text): how typed-in text is read, which values are valid, what the error says is accepted,
 * and how a value is printed. `config_value.ts` holds the table of keys' rules built from them.
 *
 * @module
 */
import { formatDuration, parseDuration } from "./duration.ts";
import { parseDecimal } from "./number_text.ts";

/** One KiB. */
export const KIB = 1024;
const MIB = 1024 * KIB;

/**
 * One second in ms.
 *
 * @example
 * ```ts
 * 30 * SECOND; // 30000
 * ```
 */
export const SECOND = 1_000;
/**
 * One minute in ms.
 *
 * @example
 * ```ts
 * 10 * MINUTE; // 600000
 * ```
 */
export const MINUTE = 60 * SECOND;
/**
 * One hour in ms.
 *
 * @example
 * ```ts
 * HOUR; // 3600000
 * ```
 */
export const HOUR = 60 * MINUTE;
/**
 * One day in ms.
 *
 * @example
 * ```ts
 * 30 * DAY; // 2592000000
 * ```
 */
export const DAY = 24 * HOUR;

/**
 * How one config key reads, checks and prints its value. `parse` turns typed-in text into a
 * raw value (it may throw); `accepts` names the valid values for messages; `text` marks free
 * text, where "" means none and spaces are the value's own (no number rule).
 *
 * @example
 * ```ts
 * const flag: KeyRule = {
 *   parse: (text) => text === "true",
 *   valid: (v) => typeof v === "boolean",
 *   accepts: "true or false",
 *   format: String,
 * };
 * ```
 */
export interface KeyRule {
  /** Free text: "" means none, and no number rule applies. */
  text?: true;
  /** Typed-in text to a raw value; may throw a UsageError. */
  parse(text: string): unknown;
  /** Whether a raw or stored value is valid. */
  valid(value: unknown): boolean;
  /** The valid values, for messages. */
  accepts: string;
  /** The value as `config show` prints it; reads back through `parse`. */
  format(value: never): string;
}

/**
 * A check for an integer from `min` to `max`.
 *
 * @example
 * ```ts
 * int(0, 100)(5); // true
 * int(0, 100)(2.5); // false
 * ```
 */
export const int = (min: number, max: number) => (v: unknown): boolean =>
  typeof v === "number" && Number.isInteger(v) && v >= min && v <= max;

const zeroOr = (min: number, max: number) => (v: unknown) => v === 0 || int(min, max)(v);

/**
 * A plain decimal; parseConfigValue has already applied numberText's rule, so the name never
 * shows.
 *
 * @example
 * ```ts
 * plainNumber("1.5"); // 1.5
 * ```
 */
export const plainNumber = (text: string): number => parseDecimal(text, "value");

const durationMs = (text: string) => parseDuration(text, { bareUnit: "ms" });
const orZero = (format: (ms: number) => string) => (ms: number) => ms === 0 ? "0" : format(ms);

/**
 * A key in ms from `min` to `max`, typed as ms or as a duration (`1s`).
 *
 * @example
 * ```ts
 * msKey(10, 60_000).parse("1s"); // 1000
 * ```
 */
export const msKey = (min: number, max: number): KeyRule => ({
  parse: durationMs,
  valid: int(min, max),
  accepts: `${min} to ${max} ms`,
  format: String,
});

/**
 * A duration key from `min` to `max` ms, printed as a duration; `zero` names what 0 means for
 * keys where 0 switches the feature off.
 *
 * @example
 * ```ts
 * durationKey(1_000, 86_400_000, { zero: "no limit" }).accepts;
 * // "0 (no limit) or a duration from 1s to 1d"
 * ```
 */
export const durationKey = (
  min: number,
  max: number,
  options: { zero?: string } = {},
): KeyRule => ({
  parse: (text) => parseDuration(text),
  valid: options.zero ? zeroOr(min, max) : int(min, max),
  accepts: (options.zero ? `0 (${options.zero}) or ` : "") +
    `a duration from ${formatDuration(min)} to ${formatDuration(max)}`,
  format: options.zero ? orZero(formatDuration) : formatDuration,
});

/**
 * A free-text key checked by `parse`, which throws its own one-line UsageError naming what is
 * wrong in the text. None is shown as `""`, which reads back as none (a command of two quotes
 * would do nothing anyway).
 *
 * @example
 * ```ts
 * const rule = textKey((t) => t, "any text");
 * rule.parse('""'); // ""
 * ```
 */
export const textKey = (parse: (text: string) => string, accepts: string): KeyRule => ({
  text: true,
  parse: (text) => text === '""' ? "" : parse(text),
  valid: (v) => {
    try {
      return typeof v === "string" && parse(v) === v;
    } catch {
      return false;
    }
  },
  accepts,
  format: (value: string) => value === "" ? '""' : value,
});

/**
 * Bytes from `256k`, `1m`, `1mb`, `512kb`, `256KiB`, `100b` or bare `4096`; k = 1024. NaN for
 * anything else.
 *
 * @example
 * ```ts
 * parseBytes("256k"); // 262144
 * ```
 */
export function parseBytes(text: string): number {
  const match = /^(\d+(?:\.\d*)?|\.\d+)\s*(b|k|kb|kib|m|mb|mib)?$/i.exec(text);
  if (!match) return NaN;
  const unit = (match[2] ?? "b").toLowerCase()[0];
  const scale = unit === "k" ? KIB : unit === "m" ? MIB : 1;
  const bytes = Number(match[1]) * scale;
  return Number.isInteger(bytes) ? bytes : NaN;
}

/**
 * Bytes as `config show` prints them: `256KiB`, `1MiB`, or plain.
 *
 * @example
 * ```ts
 * formatBytes(262_144); // "256KiB"
 * ```
 */
export function formatBytes(bytes: number): string {
  if (bytes !== 0 && bytes % MIB === 0) return `${bytes / MIB}MiB`;
  if (bytes !== 0 && bytes % KIB === 0) return `${bytes / KIB}KiB`;
  return String(bytes);
}
