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
 * It also records the order it was handed the two streams' kept bytes in (`output_runs.ts`), so
 * the output can be read merged as a terminal would have shown it: one small value, rewritten
 * with a flush when it changed, never written for a job that prints nothing.
 *
 * @module
 */
import type { OutputStream } from "../output_stream.ts";
import type { Store } from "../store/open.ts";
import { writeOutputChunk } from "../store/output.ts";
import { MAX_RUNS, writeOutputRuns } from "../store/output_runs.ts";

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
  /** Kept bytes in the order pushed: positive counts for stdout, negative for stderr. */
  readonly #runs: number[] = [];
  #capped = false;
  #runsDirty = false;

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
    const kept = data.subarray(0, room);
    this.#append(s, kept);
    this.#record(stream, kept.byteLength);
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

  /** Adds `bytes` kept of `stream` to the runs: the last run grows, or a new one starts. */
  #record(stream: OutputStream, bytes: number): void {
    if (bytes === 0 || this.#capped) return;
    const sign = stream === "stdout" ? 1 : -1;
    const last = this.#runs.length - 1;
    if (last >= 0 && Math.sign(this.#runs[last]!) === sign) this.#runs[last]! += sign * bytes;
    else if (this.#runs.length < MAX_RUNS) this.#runs.push(sign * bytes);
    // Past the cap nothing more is recorded, not even a last run growing: the other stream may
    // have come between. The rest is read stream by stream.
    else this.#capped = true;
    this.#runsDirty = true;
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
    if (!this.#closed && this.#limit > 0) {
      // The tails were held apart, so their order is not known: stdout's, then stderr's.
      for (const stream of ["stdout", "stderr"] as const) {
        const s = this.#streams[stream];
        const before = s.size;
        this.#appendTail(s);
        this.#record(stream, s.size - before);
      }
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
    // After the chunks it counts, so a reader that reads it first finds all its bytes.
    if (this.#runsDirty) {
      this.#runsDirty = false;
      try {
        await writeOutputRuns(this.#store, { id: this.#id, n: this.#n }, {
          runs: [...this.#runs],
          capped: this.#capped,
        });
      } catch (err) {
        // Tried again at the next flush (the close's at the latest), even if nothing changes.
        this.#runsDirty = true;
        throw err;
      }
    }
  }
}
