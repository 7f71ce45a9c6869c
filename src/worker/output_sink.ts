/**
 * Streams an attempt's output into KV while it runs: chunks under the 64 KiB value limit,
 * rewritten in place while they grow, flushed a few times a second, capped per stream.
 *
 * @module
 */
import { type OutputStream, type Store, writeOutputChunk } from "../store/mod.ts";

/** Bytes per stored chunk: under Deno KV's 64 KiB value limit. */
export const CHUNK_BYTES = 60 * 1024;

interface StreamState {
  chunks: Uint8Array[];
  size: number;
  total: number;
  dirty: Set<number>;
}

/**
 * Collects output of one attempt and writes it to KV.
 *
 * @example
 * ```ts
 * import type { Store } from "../store/open.ts";
 * declare const store: Store;
 * const sink = new OutputSink(store, { id: "a1", n: 1, limit: 262144 });
 * sink.push("stdout", new TextEncoder().encode("hi\n"));
 * await sink.close();
 * ```
 */
export class OutputSink {
  readonly #store: Store;
  readonly #id: string;
  readonly #n: number;
  readonly #limit: number;
  readonly #streams: Record<OutputStream, StreamState> = {
    stdout: { chunks: [], size: 0, total: 0, dirty: new Set() },
    stderr: { chunks: [], size: 0, total: 0, dirty: new Set() },
  };
  readonly #flushMs: number;
  #timer: ReturnType<typeof setInterval> | undefined;
  #closed = false;
  #flushing: Promise<void> = Promise.resolve();

  /** @param options job id, attempt number, bytes kept per stream, flush interval (default 250 ms) */
  constructor(store: Store, options: { id: string; n: number; limit: number; flushMs?: number }) {
    this.#store = store;
    this.#id = options.id;
    this.#n = options.n;
    this.#limit = options.limit;
    this.#flushMs = options.flushMs ?? 250;
  }

  /** Takes a chunk read from the process; bytes past the limit are counted, not kept. */
  push(stream: OutputStream, data: Uint8Array): void {
    // The timer starts with the first output: most short jobs print nothing and need none.
    if (!this.#closed) this.#timer ??= setInterval(() => this.#flushSoon(), this.#flushMs);
    const s = this.#streams[stream];
    s.total += data.byteLength;
    let rest = data.subarray(0, Math.max(0, this.#limit - s.size));
    while (rest.byteLength > 0) {
      let idx = s.chunks.length - 1;
      if (idx < 0 || s.chunks[idx]!.byteLength >= CHUNK_BYTES) {
        s.chunks.push(new Uint8Array(0));
        idx++;
      }
      const last = s.chunks[idx]!;
      const take = rest.subarray(0, CHUNK_BYTES - last.byteLength);
      const grown = new Uint8Array(last.byteLength + take.byteLength);
      grown.set(last);
      grown.set(take, last.byteLength);
      s.chunks[idx] = grown;
      s.size += take.byteLength;
      s.dirty.add(idx);
      rest = rest.subarray(take.byteLength);
    }
  }

  /** Sizes seen and whether anything was cut. */
  get summary(): { stdout_bytes: number; stderr_bytes: number; truncated: boolean } {
    const { stdout, stderr } = this.#streams;
    return {
      stdout_bytes: stdout.total,
      stderr_bytes: stderr.total,
      truncated: stdout.total > stdout.size || stderr.total > stderr.size,
    };
  }

  /** Stops the timer and writes what is left. */
  async close(): Promise<void> {
    this.#closed = true;
    clearInterval(this.#timer);
    this.#flushSoon();
    await this.#flushing;
  }

  #flushSoon(): void {
    this.#flushing = this.#flushing.then(() => this.#flush()).catch(() => {
      // Output is best effort; the result itself is written by the finish transition.
    });
  }

  async #flush(): Promise<void> {
    for (const stream of ["stdout", "stderr"] as const) {
      const s = this.#streams[stream];
      for (const chunk of [...s.dirty]) {
        s.dirty.delete(chunk);
        await writeOutputChunk(
          this.#store,
          { id: this.#id, n: this.#n, stream, chunk },
          s.chunks[chunk]!,
        );
      }
    }
  }
}
