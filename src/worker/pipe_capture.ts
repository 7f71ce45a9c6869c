/**
 * Reading a child's output pipe to its end: the first `limit` bytes are kept, the rest counted,
 * and every chunk is passed on for live streaming.
 *
 * @module
 */
import { concatBytes } from "../bytes.ts";
import type { OutputStream } from "../output_stream.ts";

/** Bytes per pipe read, as Deno's own default reader uses. */
const READ_BYTES = 64 * 1024;
/**
 * Read buffers handed back after a run, reused by the next. Deno's default reader allocates a
 * fresh 64 KiB buffer for every read; at two pipes per job that was 128 KiB of garbage per job
 * even for a silent command, and the GC pressure it made showed up in a worker's CPU profile.
 */
const spareBuffers: ArrayBuffer[] = [];

/** What {@linkcode capture} returns: its end, a way to stop it, and what it read. */
export interface Capture {
  /** Settles when the pipe has ended (or the read was cancelled). */
  done: Promise<void>;
  /** Stops reading; `done` then settles. */
  cancel(): void;
  /** Bytes seen, kept or not. */
  total(): number;
  /** The kept bytes. */
  bytes(): Uint8Array<ArrayBuffer>;
}

/**
 * Reads one pipe to its end, keeping the first `limit` bytes and counting the rest.
 *
 * @example
 * ```ts
 * const child = new Deno.Command("sh", { args: ["-c", "echo hi"], stdout: "piped" }).spawn();
 * const out = capture("stdout", child.stdout, 262_144, () => {});
 * await out.done;
 * ```
 */
export function capture(
  name: OutputStream,
  stream: ReadableStream<Uint8Array>,
  limit: number,
  emit: (name: OutputStream, chunk: Uint8Array) => void,
): Capture {
  const reader = stream.getReader({ mode: "byob" });
  const kept: Uint8Array<ArrayBuffer>[] = [];
  let keptBytes = 0;
  let total = 0;
  const done = (async () => {
    // A BYOB read transfers the buffer and hands it back in the result, so one buffer serves
    // every read of this pipe, and then the next run.
    let buffer = spareBuffers.pop() ?? new ArrayBuffer(READ_BYTES);
    try {
      for (;;) {
        const r = await reader.read(new Uint8Array(buffer));
        if (!r.value) break;
        buffer = r.value.buffer;
        if (r.done) break;
        total += r.value.byteLength;
        if (keptBytes < limit) {
          const part = r.value.slice(0, limit - keptBytes);
          kept.push(part);
          keptBytes += part.byteLength;
        }
        // A copy: the buffer is reused for the next read, and a callback may keep or change it.
        emit(name, r.value.slice());
      }
      // A cancelled read leaves the buffer detached (length 0): only whole ones go back.
      if (buffer.byteLength === READ_BYTES && spareBuffers.length < 8) spareBuffers.push(buffer);
    } catch {
      // A read error (e.g. after cancel) just ends this stream's output; its buffer is lost.
    }
  })();
  return {
    done,
    cancel: () => reader.cancel().catch(() => {}),
    total: () => total,
    bytes: () => concatBytes(kept),
  };
}
