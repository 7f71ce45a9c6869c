/**
 * Captured output of attempts, chunked under the 64 KiB value limit.
 *
 * @module
 */
import type { OutputStream } from "../output_stream.ts";
import { keys } from "./keys.ts";
import type { Store } from "./open.ts";

/** Options of {@linkcode readOutput}. */
export interface ReadOutputOptions {
  /** Which stream. */
  stream: OutputStream;
  /** Start at this chunk index (for following). Default 0. */
  fromChunk?: number;
}

/**
 * The stored chunks of one stream of one attempt, from `fromChunk` on.
 *
 * @example
 * ```ts
 * import type { Store } from "./open.ts";
 * declare const store: Store;
 * const chunks = await readOutput(store, "a1", 1, { stream: "stdout" });
 * ```
 */
export async function readOutput(
  store: Store,
  id: string,
  n: number,
  options: ReadOutputOptions,
): Promise<{ index: number; data: Uint8Array }[]> {
  const prefix = keys.outputs(id, n, options.stream);
  const from = options.fromChunk ?? 0;
  const entries = await store.db.list<Uint8Array>(
    from > 0 ? { prefix, start: [...prefix, from] } : { prefix },
    { limit: 1000 },
  );
  return entries.map((e) => ({ index: e.key[4] as number, data: e.value }));
}

/**
 * Writes one output chunk of a running attempt. A chunk is rewritten in place while it grows,
 * so a follower sees output as it is produced.
 */
export async function writeOutputChunk(
  store: Store,
  where: { id: string; n: number; stream: OutputStream; chunk: number },
  data: Uint8Array,
): Promise<void> {
  await store.db.set(keys.output(where.id, where.n, where.stream, where.chunk), data);
}
