/**
 * The body of a `/logs` read: the bytes of an attempt's pieces (chunks of one stream, or merged
 * segments) past an offset, and for merged segments which stream each stretch came from.
 *
 * @module
 */
import type { OutputStream } from "../store/mod.ts";

/** Stretches named at most in {@linkcode logsBody}'s `streams`: past that, none are (a header). */
export const MAX_STREAM_MARKS = 1000;

/**
 * The bytes past `offset`, their end (the next read's offset), and for pieces that carry a
 * stream, the body's stretches as `o<bytes>` / `e<bytes>` joined by commas (null when none
 * carry one or there are more than {@linkcode MAX_STREAM_MARKS}) (pure).
 *
 * @example
 * ```ts
 * const te = new TextEncoder();
 * const { streams } = logsBody([
 *   { stream: "stdout", data: te.encode("o1\n") },
 *   { stream: "stderr", data: te.encode("e1\n") },
 * ], 1); // streams: "o2,e3"
 * ```
 */
export function logsBody(
  pieces: { data: Uint8Array; stream?: OutputStream }[],
  offset: number,
): { body: Uint8Array<ArrayBuffer>; total: number; streams: string | null } {
  const total = pieces.reduce((sum, c) => sum + c.data.byteLength, 0);
  const body = new Uint8Array(Math.max(0, total - offset));
  const marks: string[] = [];
  let at = 0;
  let pos = 0;
  for (const c of pieces) {
    const from = Math.max(0, offset - pos);
    if (from < c.data.byteLength) {
      body.set(c.data.subarray(from), at);
      at += c.data.byteLength - from;
      if (c.stream) marks.push((c.stream === "stdout" ? "o" : "e") + (c.data.byteLength - from));
    }
    pos += c.data.byteLength;
  }
  const streams = marks.length > 0 && marks.length <= MAX_STREAM_MARKS ? marks.join(",") : null;
  return { body, total, streams };
}
