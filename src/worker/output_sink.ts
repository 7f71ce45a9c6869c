/**
 * Streams an attempt's output into KV while it runs: chunks under the 64 KiB value limit,
 * rewritten in place while they grow, flushed a few times a second, capped per stream.
 *
 * Past the cap a stream keeps its head and its tail (the end of a failing build is what people
 * need): the first half of `limit` is written live, the last half is held in memory (a window
 * that slides over the output) and written when the attempt ends, after a marker line that says
 * how much was cut. Output that fits is kept whole, written as it comes up to the half, and the
 * rest at the end: a follower sees the head live and the tail once the job ends.
 *
 * @module
 */
import type { OutputStream } from "../output_stream.ts";
import type { Store } from "../store/open.ts";
import { writeOutputChunk } from "../store/output.ts";

/** Bytes per stored chunk: under Deno KV's 64 KiB value limit. */
export const CHUNK_BYTES = 60 * 1024;

interface StreamState {
  chunks: Uint8Array[];
  size: number;
  total: number;
  dirty: Set<number>;
  /** The last bytes past the head, at most `limit - head` of them, oldest first. */
  tail: Uint8Array[];
  tailBytes: number;
}

const stream = (): StreamState => ({
  chunks: [],
  size: 0,
  total: 0,
  dirty: new Set(),
  tail: [],
  tailBytes: 0,
});

/**
 * The line between a stream's head and tail when `cut` bytes were left out (pure).
 *
 * @example
 * ```ts
 * cutMarker(12345); // "[... 12,345 bytes cut by queuectl ...]\n"
 * ```
 */
export function cutMarker(cut: number): string {
  return `[... ${cut.toLocaleString("en-US")} bytes cut by queuectl ...]\n`;
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
  readonly #head: number;
  readonly #streams: Record<OutputStream, StreamState> = { stdout: stream(), stderr: stream() };
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
    this.#head = Math.floor(options.limit / 2);
    this.#flushMs = options.flushMs ?? 250;
  }

  /** Takes a chunk read from the process: the head is written live, the tail at the end. */
  push(stream: OutputStream, data: Uint8Array): void {
    // The timer starts with the first output: most short jobs print nothing and need none.
    if (!this.#closed) this.#timer ??= setInterval(() => this.#flushSoon(), this.#flushMs);
    const s = this.#streams[stream];
    s.total += data.byteLength;
    const room = Math.max(0, this.#head - s.size);
    this.#append(s, data.subarray(0, room));
    const rest = data.subarray(room);
    if (rest.byteLength === 0) return;
    s.tail.push(rest);
    s.tailBytes += rest.byteLength;
    // Slide the window: drop the oldest bytes beyond the tail's share of the limit.
    let over = s.tailBytes - (this.#limit - this.#head);
    while (over > 0) {
      const first = s.tail[0]!;
      const drop = Math.min(over, first.byteLength);
      if (drop === first.byteLength) s.tail.shift();
      else s.tail[0] = first.subarray(drop);
      s.tailBytes -= drop;
      over -= drop;
    }
  }

  /** Appends kept bytes to a stream's chunks and marks the chunks they touch for writing. */
  #append(s: StreamState, data: Uint8Array): void {
    let rest = data;
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

  /** Adds the held tail after the head, behind a marker line when bytes were cut. */
  #appendTail(s: StreamState): void {
    const cut = s.total - s.size - s.tailBytes;
    if (cut > 0) {
      const last = s.chunks[s.chunks.length - 1];
      const newline = last && last[last.byteLength - 1] !== 10 ? "\n" : "";
      this.#append(s, new TextEncoder().encode(newline + cutMarker(cut)));
    }
    for (const part of s.tail) this.#append(s, part);
    s.tail = [];
    s.tailBytes = 0;
  }

  /** Sizes seen and whether anything was cut. */
  get summary(): { stdout_bytes: number; stderr_bytes: number; truncated: boolean } {
    const { stdout, stderr } = this.#streams;
    return {
      stdout_bytes: stdout.total,
      stderr_bytes: stderr.total,
      truncated: stdout.total > this.#limit || stderr.total > this.#limit,
    };
  }

  /** Stops the timer and writes what is left. */
  async close(): Promise<void> {
    if (!this.#closed) {
      for (const s of Object.values(this.#streams)) if (this.#limit > 0) this.#appendTail(s);
    }
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
