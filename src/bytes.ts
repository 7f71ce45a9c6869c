/**
 * Joining byte chunks, which output capture, output reads, NDJSON input and the web relay all do.
 *
 * @module
 */

/**
 * The bytes of `parts` one after another: the part itself when there is only one (no copy),
 * else one new buffer.
 *
 * @example
 * ```ts
 * concatBytes([new Uint8Array([1]), new Uint8Array([2, 3])]); // Uint8Array [1, 2, 3]
 * ```
 */
export function concatBytes<T extends ArrayBufferLike = ArrayBufferLike>(
  parts: readonly Uint8Array<T>[],
): Uint8Array<T | ArrayBuffer> {
  if (parts.length === 1) return parts[0]!;
  const out = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.byteLength;
  }
  return out;
}
