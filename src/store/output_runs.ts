/**
 * The merged view of an attempt's output: its two streams interleaved in the order the worker
 * read them, from a small "runs" value stored beside the chunks.
 *
 * The order is the order the worker's reads of the two pipes returned, which is the order the
 * job wrote in whenever two writes are further apart than one pipe read (a terminal would have
 * shown them so); writes closer than that may come out in either order.
 *
 * @module
 */
import { concatBytes } from "../bytes.ts";
import type { OutputStream } from "../output_stream.ts";
import { keys } from "./keys.ts";
import type { Store } from "./open.ts";
import { readOutput } from "./output.ts";

/** Runs recorded per attempt at most: the value stays near 40 KB, under the 64 KiB limit. */
export const MAX_RUNS = 10_000;

/**
 * The stored order of one attempt's kept bytes. Each run is a byte count: positive for stdout,
 * negative for stderr; consecutive runs alternate. The head is recorded as it is read; the tail
 * kept past the output limit (behind its cut marker) follows as stdout's, then stderr's. When
 * `capped`, the order stopped being recorded after {@linkcode MAX_RUNS} runs: the bytes past the
 * runs follow stream by stream, stdout first.
 */
export interface OutputRuns {
  /** Byte counts, positive for stdout, negative for stderr. */
  runs: number[];
  /** True when more runs came than were recorded. */
  capped: boolean;
}

/**
 * One piece of the merged view: bytes of one stream.
 */
export interface OutputSegment {
  /** Which stream the bytes came from. */
  stream: OutputStream;
  /** The bytes. */
  data: Uint8Array;
}

/**
 * Writes an attempt's runs, replacing the previous value (the worker writes it with its flushes).
 *
 * @example
 * ```ts
 * import type { Store } from "./open.ts";
 * declare const store: Store;
 * await writeOutputRuns(store, { id: "a1", n: 1 }, { runs: [3, -3], capped: false });
 * ```
 */
export async function writeOutputRuns(
  store: Store,
  where: { id: string; n: number },
  value: OutputRuns,
): Promise<void> {
  await store.db.set(keys.outputRuns(where.id, where.n), value);
}

/** Options of {@linkcode readMergedOutput}. */
export interface ReadMergedOptions {
  /**
   * Whether the attempt has ended. While it runs only the part whose order is known is returned,
   * so a later read only adds to what an earlier one returned. Default true.
   */
  ended?: boolean;
}

/**
 * One attempt's output as a terminal would have shown it: segments in the order the worker read
 * them. An attempt recorded without runs (before they existed) reads as stdout then stderr.
 *
 * @example
 * ```ts
 * import type { Store } from "./open.ts";
 * declare const store: Store;
 * const text = new TextDecoder();
 * for (const s of await readMergedOutput(store, "a1", 1)) console.log(s.stream, text.decode(s.data));
 * ```
 */
export async function readMergedOutput(
  store: Store,
  id: string,
  n: number,
  options: ReadMergedOptions = {},
): Promise<OutputSegment[]> {
  // The runs first: the worker writes them after the chunks they count, so the chunks read next
  // hold at least the bytes the runs name.
  const runs = (await store.db.get<OutputRuns>(keys.outputRuns(id, n))).value;
  const bytesOf = async (stream: OutputStream) =>
    concatBytes((await readOutput(store, id, n, { stream })).map((c) => c.data));
  const stdout = await bytesOf("stdout");
  const stderr = await bytesOf("stderr");
  return mergeRuns(runs, { stdout, stderr }, options.ended ?? true);
}

/**
 * Cuts two streams' bytes into segments by `runs` (pure). Past the runs (or without any) the rest
 * follows stdout first, but only once `ended`: while the attempt runs, that order is not known.
 *
 * @example
 * ```ts
 * const te = new TextEncoder();
 * mergeRuns({ runs: [3, -3, 3], capped: false }, {
 *   stdout: te.encode("o1\no2\n"),
 *   stderr: te.encode("e1\n"),
 * }, true).map((s) => s.stream); // ["stdout", "stderr", "stdout"]
 * ```
 */
export function mergeRuns(
  runs: OutputRuns | null,
  bytes: Record<OutputStream, Uint8Array>,
  ended: boolean,
): OutputSegment[] {
  const out: OutputSegment[] = [];
  const at: Record<OutputStream, number> = { stdout: 0, stderr: 0 };
  const add = (stream: OutputStream, count: number) => {
    const data = bytes[stream].subarray(at[stream], at[stream] + count);
    at[stream] += data.byteLength;
    if (data.byteLength === 0) return;
    const last = out[out.length - 1];
    if (last?.stream === stream) last.data = concatBytes([last.data, data]);
    else out.push({ stream, data });
  };
  for (const run of runs?.runs ?? []) {
    const stream: OutputStream = run > 0 ? "stdout" : "stderr";
    const want = Math.abs(run);
    const have = bytes[stream].byteLength - at[stream];
    add(stream, want);
    // Bytes the runs name but the chunks don't hold yet: stop, or the next read would reorder.
    if (have < want) {
      if (!ended) return out;
      break;
    }
  }
  if (!ended) return out;
  add("stdout", Infinity);
  add("stderr", Infinity);
  return out;
}
