/**
 * Strict UTF-8: where input bytes stop being UTF-8, so that a command is refused rather than
 * stored with U+FFFD in place of the bytes it was given (a lossy decoder changes it silently).
 *
 * @module
 */
import { UsageError } from "./errors.ts";

const strict = new TextDecoder("utf-8", { fatal: true });

/**
 * The offset of the first byte of `bytes` where well-formed UTF-8 breaks: the start of the
 * first ill-formed or truncated sequence (as the WHATWG decoder judges it: no overlong forms,
 * no surrogates, nothing above U+10FFFF), or -1 when all of it is UTF-8.
 *
 * @example
 * ```ts
 * invalidUtf8Offset(new Uint8Array([0x65, 0x63, 0xff])); // 2
 * invalidUtf8Offset(new TextEncoder().encode("héllo")); // -1
 * ```
 */
export function invalidUtf8Offset(bytes: Uint8Array): number {
  // The native decoder is far faster, and nearly all input is valid: scan only on failure.
  try {
    strict.decode(bytes);
    return -1;
  } catch {
    return scan(bytes);
  }
}

/**
 * Decodes `bytes` as UTF-8, or throws a one-line UsageError naming `what` and the offset of
 * the first invalid byte. A leading byte order mark is dropped, as `TextDecoder` does.
 *
 * @example
 * ```ts
 * decodeUtf8(new TextEncoder().encode("echo hi"), "the command"); // "echo hi"
 * decodeUtf8(new Uint8Array([0x65, 0xff]), "the body");
 * // throws: the body is not valid UTF-8: byte 0xff at offset 1
 * ```
 */
export function decodeUtf8(bytes: Uint8Array, what: string): string {
  try {
    return strict.decode(bytes);
  } catch {
    throw new UsageError(`${what} is not valid UTF-8: ${describeInvalid(bytes, scan(bytes))}`);
  }
}

/**
 * `byte 0xff at offset 5`: the first invalid byte of `bytes` at `offset`, for messages.
 *
 * @example
 * ```ts
 * describeInvalid(new Uint8Array([0x61, 0xfe]), 1); // "byte 0xfe at offset 1"
 * ```
 */
export function describeInvalid(bytes: Uint8Array, offset: number): string {
  const hex = (bytes[offset] ?? 0).toString(16).padStart(2, "0");
  return `byte 0x${hex} at offset ${offset}`;
}

/** The WHATWG UTF-8 decoder's rules, byte by byte; -1 when every sequence is complete. */
function scan(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const lead = bytes[i]!;
    if (lead < 0x80) {
      i++;
      continue;
    }
    let need: number;
    let low = 0x80;
    let high = 0xbf;
    if (lead >= 0xc2 && lead <= 0xdf) need = 1;
    else if (lead >= 0xe0 && lead <= 0xef) {
      need = 2;
      if (lead === 0xe0) low = 0xa0; // overlong
      if (lead === 0xed) high = 0x9f; // surrogates
    } else if (lead >= 0xf0 && lead <= 0xf4) {
      need = 3;
      if (lead === 0xf0) low = 0x90; // overlong
      if (lead === 0xf4) high = 0x8f; // above U+10FFFF
    } else return i;
    for (let k = 1; k <= need; k++) {
      const next = bytes[i + k];
      if (next === undefined || next < low || next > high) return i;
      low = 0x80;
      high = 0xbf;
    }
    i += need + 1;
  }
  return -1;
}
