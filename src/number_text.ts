/**
 * Numbers as users type them: flag values, config values, and durations or dates given as text
 * in a job spec. One rule holds for all of them, here: the text is not empty and has no
 * whitespace around it. `--priority " 5"` is then refused as `--priority ""` is, where `Number`
 * would read the first as 5 and the second as 0.
 *
 * @module
 */
import { UsageError } from "./errors.ts";
import { showValue } from "./suggest.ts";

/** A plain decimal: an optional minus, digits, an optional fraction; no exponent, no hex. */
const DECIMAL = /^-?(?:\d+(?:\.\d*)?|\.\d+)$/;

/**
 * Returns `text` unchanged if it may be read as a number: not empty, and no whitespace before
 * or after it. Else throws a one-line UsageError naming `name` (a flag, key or field) and the
 * text. Every parser of typed-in numbers calls this first.
 *
 * @example
 * ```ts
 * numberText("5", "--priority"); // "5"
 * numberText(" 5", "--priority"); // throws: --priority must not have spaces around it, got " 5"
 * numberText("", "--limit"); // throws: --limit must not be empty
 * ```
 */
export function numberText(text: string, name: string): string {
  if (text === "") throw new UsageError(`${name} must not be empty`);
  if (text.trim() !== text) {
    throw new UsageError(`${name} must not have spaces around it, got ${showValue(text, 40)}`);
  }
  return text;
}

/**
 * Reads a plain decimal (`5`, `-3`, `1.5`, `.5`) after {@linkcode numberText}'s check; NaN for
 * any other text (`1e3`, `0x10`, `five`), so the caller refuses it with its own range message.
 *
 * @example
 * ```ts
 * parseDecimal("1.5", "--timeout"); // 1.5
 * parseDecimal("1e3", "--timeout"); // NaN
 * ```
 */
export function parseDecimal(text: string, name: string): number {
  return DECIMAL.test(numberText(text, name)) ? Number(text) : NaN;
}

/** Options of {@linkcode parseInteger}. */
export interface IntegerOptions {
  /** The flag or key named in the error, e.g. `--limit`. */
  name: string;
  /** The smallest value accepted. */
  min: number;
  /** The largest value accepted. */
  max: number;
}

/**
 * Reads an integer from `min` to `max` with {@linkcode parseDecimal}, or throws a one-line
 * UsageError: `--limit must be an integer from 1 to 1000, got "0"`.
 *
 * @example
 * ```ts
 * parseInteger("50", { name: "--limit", min: 1, max: 1000 }); // 50
 * ```
 */
export function parseInteger(text: string, options: IntegerOptions): number {
  const { name, min, max } = options;
  const n = parseDecimal(text, name);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new UsageError(
      `${name} must be an integer from ${min} to ${max}, got ${showValue(text)}`,
    );
  }
  return n;
}
