/**
 * The `command` field of a job spec: a shell command kept exactly as given, checked to be
 * non-blank, valid Unicode, free of NUL and at most {@linkcode MAX_COMMAND_BYTES} bytes.
 *
 * @module
 */

import { UsageError } from "./errors.ts";
import { showValue } from "./suggest.ts";

/**
 * Longest command in UTF-8 bytes; the job record must fit comfortably in one KV value.
 *
 * @example
 * ```ts
 * new TextEncoder().encode("echo hi").length <= MAX_COMMAND_BYTES; // true
 * ```
 */
export const MAX_COMMAND_BYTES = 32 * 1024;

/**
 * `command`: a non-blank string of valid Unicode without NUL, at most
 * {@linkcode MAX_COMMAND_BYTES} bytes of UTF-8; returned unchanged.
 *
 * @example
 * ```ts
 * readCommand("make test"); // "make test"
 * ```
 */
export function readCommand(value: unknown): string {
  if (value === undefined || value === null || (typeof value === "string" && !value.trim())) {
    throw new UsageError(`job spec needs a non-empty "command"`);
  }
  if (typeof value !== "string") {
    throw new UsageError(`command must be a string, got ${showValue(value, 40)}`);
  }
  const lone = loneSurrogate(value);
  if (lone >= 0) {
    // `sh` gets the command as UTF-8, where a lone surrogate can only become U+FFFD.
    const unit = value.charCodeAt(lone).toString(16);
    throw new UsageError(
      `command must be valid Unicode, got a lone surrogate \\u${unit} at character ${lone}`,
    );
  }
  if (value.includes("\0")) {
    // A shell cannot receive NUL in an argument; better to refuse than to run a truncated one.
    throw new UsageError(`command must not contain a NUL byte, got ${showValue(value, 40)}`);
  }
  // UTF-8 takes at most three bytes per UTF-16 unit, so most commands need no encoding to pass.
  const bytes = value.length * 3 <= MAX_COMMAND_BYTES ? 0 : new TextEncoder().encode(value).length;
  if (bytes > MAX_COMMAND_BYTES) {
    throw new UsageError(
      `command must be at most ${MAX_COMMAND_BYTES} bytes, got ${bytes} bytes ` +
        `starting ${showValue(value, 40)}`,
    );
  }
  return value;
}

/** The index of the first UTF-16 surrogate without its pair in `text`, or -1. */
function loneSurrogate(text: string): number {
  if (text.isWellFormed()) return -1;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit < 0xd800 || unit > 0xdfff) continue;
    const next = text.charCodeAt(i + 1);
    if (unit <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) i++;
    else return i;
  }
  return -1;
}
