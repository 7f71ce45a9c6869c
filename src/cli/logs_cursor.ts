/**
 * Where `queuectl logs` is in an attempt's output: each read returns only the bytes not
 * returned before, for one stream or for the merged view.
 *
 * @module
 */
import type { OutputStream } from "../output_stream.ts";
import type { Store } from "../store/open.ts";
import { readOutput } from "../store/output.ts";
import { readMergedOutput } from "../store/output_runs.ts";

/** Bytes of one stream, as read. */
export interface Piece {
  /** Which stream they came from. */
  stream: OutputStream;
  /** The bytes. */
  data: Uint8Array;
}

/**
 * Reads new output of one attempt: `next(ended)` gives what came since the last call.
 *
 * @example
 * ```ts
 * import type { Store } from "../store/open.ts";
 * declare const store: Store;
 * const cursor = outputCursor(store, { id: "a1", n: 1, stream: "merged" });
 * for (const p of await cursor.next(true)) console.log(p.stream, p.data.byteLength);
 * ```
 */
export function outputCursor(
  store: Store,
  where: { id: string; n: number; stream: OutputStream | "merged" },
): { next(ended: boolean): Promise<Piece[]>; readonly bytes: number } {
  const { id, n, stream } = where;
  return stream === "merged" ? mergedCursor(store, id, n) : streamCursor(store, id, n, stream);
}

/** One stream: chunk by chunk, the last one re-read while it grows. */
function streamCursor(store: Store, id: string, n: number, stream: OutputStream) {
  let chunk = 0;
  let offset = 0;
  let bytes = 0;
  return {
    get bytes() {
      return bytes;
    },
    async next(): Promise<Piece[]> {
      const out: Piece[] = [];
      for (const c of await readOutput(store, id, n, { stream, fromChunk: chunk })) {
        // The last chunk grows in place: return only what is new since the last look.
        const fresh = c.index === chunk ? c.data.subarray(offset) : c.data;
        if (fresh.byteLength > 0) out.push({ stream, data: fresh });
        bytes += fresh.byteLength;
        chunk = c.index;
        offset = c.data.byteLength;
      }
      return out;
    },
  };
}

/**
 * The merged view, read whole each time: while the attempt runs it only grows at its end
 * (`readMergedOutput` with `ended: false`), so what was returned is skipped by its length.
 */
function mergedCursor(store: Store, id: string, n: number) {
  let bytes = 0;
  return {
    get bytes() {
      return bytes;
    },
    async next(ended: boolean): Promise<Piece[]> {
      const out: Piece[] = [];
      let pos = 0;
      for (const s of await readMergedOutput(store, id, n, { ended })) {
        const from = Math.max(0, bytes - pos);
        if (from < s.data.byteLength) out.push({ stream: s.stream, data: s.data.subarray(from) });
        pos += s.data.byteLength;
      }
      bytes = Math.max(bytes, pos);
      return out;
    },
  };
}
