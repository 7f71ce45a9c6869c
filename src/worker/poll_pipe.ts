/**
 * A child's pipe as `child_watch.ts` reads it: a byte stream fed by reads that `poll` said will
 * not block, one shared buffer for all of them.
 *
 * @module
 */
import type { Libc } from "./libc.ts";

const EINTR = 4;
const EAGAIN = 11;
/** Bytes per pipe read, as Deno's own file reads use. */
const READ_BYTES = 64 * 1024;
// One buffer for every pipe: each read is copied out before the event loop moves on.
const buffer = new Uint8Array(READ_BYTES);

/** A child's pipe as the poller reads it, and the stream its reader sees. */
export interface Pipe {
  /** The read end. */
  fd: number;
  /** Still read: not at its end, not cancelled. */
  open: boolean;
  /** Its fd still to close (cancelled while a poll watched it: closed once that returns). */
  owned: boolean;
  /** Where its bytes go. */
  controller: ReadableByteStreamController;
  /** What its reader reads. */
  stream: ReadableStream<Uint8Array<ArrayBuffer>>;
}

/**
 * A pipe for the read end `fd`: its stream, which the poller feeds, and which marks it closed
 * when its reader cancels.
 *
 * @example
 * ```ts
 * declare const fd: number;
 * const pipe = pipeOf(fd);
 * await new Response(pipe.stream).text();
 * ```
 */
export function pipeOf(fd: number): Pipe {
  const pipe = { fd, open: true, owned: true } as Pipe;
  pipe.stream = new ReadableStream({
    type: "bytes",
    start: (controller) => {
      pipe.controller = controller;
    },
    cancel: () => {
      pipe.open = false;
    },
  });
  return pipe;
}

/**
 * Reads what `pipe` holds now, which `poll` said is ready (so the read does not block): a chunk
 * into its stream, or its end (the fd is then closed), or nothing (an interrupted read).
 *
 * @example
 * ```ts
 * import { openLibc } from "./libc.ts";
 * declare const pipe: Pipe;
 * declare const errno: () => number;
 * readOnce(openLibc(), pipe, errno);
 * ```
 */
export function readOnce(libc: Libc, pipe: Pipe, errno: () => number): void {
  const n = Number(libc.read(pipe.fd, buffer, BigInt(buffer.byteLength)));
  if (n > 0) {
    pipe.controller.enqueue(buffer.slice(0, n));
    return;
  }
  if (n < 0 && (errno() === EINTR || errno() === EAGAIN)) return;
  pipe.open = false;
  pipe.owned = false;
  libc.close(pipe.fd);
  // A read error ends this stream's output, as a Deno file's read error did.
  if (n === 0) {
    pipe.controller.close();
    // A BYOB read waiting now ends only when its request is answered with no bytes.
    pipe.controller.byobRequest?.respond(0);
  } else pipe.controller.error(new Error(`read failed: errno ${errno()}`));
}
