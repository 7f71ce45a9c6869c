/**
 * Watching a spawned child with one thread of Deno's blocking pool instead of three. Reading its
 * two pipes as Deno files and waiting for it with a blocking `waitpid` each hold a pool thread
 * for the whole run, and the pool has 32: from 11 running jobs on, a spawn (which runs on the
 * pool too) waited for a job to end. With 16 slots the spawn took 12 ms instead of 1 and each
 * job's run 66 ms instead of 54 for `sleep 0.05` (docs/PERFORMANCE.md, "Slots").
 *
 * Here one `poll(2)` on the pool watches both pipes and the child's pidfd, which becomes
 * readable when it exits. What a pipe holds is then read at once on the event loop (a `read` of
 * a pipe that `poll` found ready does not block), and the exit status is reaped with `WNOHANG`.
 * An ordinary job costs one `poll`: its exit and both pipes' ends come together.
 *
 * @module
 */
import type { Libc } from "./libc.ts";
import { decodeWaitStatus } from "./wait_status.ts";

const POLLIN = 0x1;
const POLLHUP = 0x10;
const WNOHANG = 1;
const EINTR = 4;
const EAGAIN = 11;
/** Failed polls in a row before the watch gives up on the pipes (each is tried again at once). */
const MAX_FAILED_POLLS = 100;
/** Bytes per pipe read, as Deno's own file reads use. */
const READ_BYTES = 64 * 1024;
/**
 * How long a `poll` lasts once the child has exited and only its pipes are left (a member that
 * escaped its group may hold them): a read cancelled meanwhile is noticed within this.
 */
const AFTER_EXIT_POLL_MS = 100;
// One buffer for every watch: each read is copied out before the event loop moves on.
const buffer = new Uint8Array(READ_BYTES);

/** What {@linkcode watchChild} watches: a child's pid, its pidfd and its pipes' read ends. */
export interface WatchedFds {
  /** The child's pid. */
  pid: number;
  /** Its pidfd (`pidfd_open`), closed by the watch. */
  pidfd: number;
  /** The read end of its stdout pipe, closed by the watch. */
  stdout: number;
  /** The read end of its stderr pipe, closed by the watch. */
  stderr: number;
}

/** A child as watched: its pipes as streams, and its exit status. */
export interface Watched {
  /** Its standard output, to its end. */
  stdout: ReadableStream<Uint8Array<ArrayBuffer>>;
  /** Its standard error, to its end. */
  stderr: ReadableStream<Uint8Array<ArrayBuffer>>;
  /** Settles when it has exited; rejects only if its status could not be read. */
  status: Promise<Deno.CommandStatus>;
}

interface Pipe {
  fd: number;
  /** Still read: not at its end, not cancelled. */
  open: boolean;
  /** Its fd still to close (cancelled while a poll watched it: closed once that returns). */
  owned: boolean;
  controller: ReadableByteStreamController;
  stream: ReadableStream<Uint8Array<ArrayBuffer>>;
}

function pipeOf(fd: number): Pipe {
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
 * Watches a child started by `posix_spawn`: streams its two pipes and reaps it, with one `poll`
 * at a time on Deno's blocking pool. `errno` reads the calling thread's errno.
 *
 * @example
 * ```ts
 * import { openLibc } from "./libc.ts";
 * declare const fds: WatchedFds;
 * declare const errno: () => number;
 * const child = watchChild(openLibc(), fds, errno);
 * await child.status; // { success: true, code: 0, signal: null }
 * ```
 */
export function watchChild(libc: Libc, fds: WatchedFds, errno: () => number): Watched {
  const pipes = [pipeOf(fds.stdout), pipeOf(fds.stderr)];
  const exited = Promise.withResolvers<Deno.CommandStatus>();
  watch(libc, { fds, pipes, errno, exited });
  return { stdout: pipes[0]!.stream, stderr: pipes[1]!.stream, status: exited.promise };
}

/**
 * Polls until the child has exited and both pipes are read (or cancelled), resolving `exited`
 * at the exit: a member of the job that escaped its group may hold the pipes long after.
 */
async function watch(
  libc: Libc,
  { fds, pipes, errno, exited }: {
    fds: WatchedFds;
    pipes: Pipe[];
    errno: () => number;
    exited: PromiseWithResolvers<Deno.CommandStatus>;
  },
): Promise<void> {
  // struct pollfd: int fd, short events, short revents. A negative fd is skipped by poll.
  const bytes = new Uint8Array(8 * 3);
  const set = new DataView(bytes.buffer);
  let exit: Deno.CommandStatus | null = null;
  let failure: Error | null = null;
  let failedPolls = 0;
  try {
    while (exit === null || pipes.some((p) => p.open)) {
      const watched = [...pipes.map((p) => p.open ? p.fd : -1), exit ? -1 : fds.pidfd];
      for (const [i, fd] of watched.entries()) {
        set.setInt32(8 * i, fd, true);
        set.setInt16(8 * i + 4, POLLIN, true);
        set.setInt16(8 * i + 6, 0, true);
      }
      // The pool thread's errno is out of reach: a failed poll (a signal, EINTR) is tried again.
      if (await libc.poll(bytes, 3n, exit ? AFTER_EXIT_POLL_MS : -1) < 0) {
        if (++failedPolls >= MAX_FAILED_POLLS) throw new Error("poll failed");
        continue;
      }
      failedPolls = 0;
      for (const [i, pipe] of pipes.entries()) {
        const revents = set.getInt16(8 * i + 6, true);
        if (pipe.open && revents !== 0) readOnce(libc, pipe, errno);
        // Every writer is gone: what is left reads without blocking, to its end, with no
        // further poll (a job that printed and exited then costs one poll, not two).
        for (let n = 0; n < 64 && pipe.open && (revents & POLLHUP) !== 0; n++) {
          readOnce(libc, pipe, errno);
        }
        if (!pipe.open && pipe.owned) {
          pipe.owned = false;
          libc.close(pipe.fd);
        }
      }
      if (exit === null && set.getInt16(8 * 2 + 6, true) !== 0) {
        exit = reap(libc, fds.pid);
        exited.resolve(exit);
      }
    }
  } catch (err) {
    failure = err instanceof Error ? err : new Error(String(err));
    // The exit is still waited for, on the pool as where there is no pidfd: no zombie, and
    // the status is not lost. Only the output is cut short.
    if (exit === null) waitFor(libc, fds.pid).then(exited.resolve, exited.reject);
  } finally {
    for (const pipe of pipes) {
      if (pipe.open) {
        pipe.open = false;
        try {
          pipe.controller.error(failure ?? new Error("the watch ended"));
        } catch {
          // Already closed.
        }
      }
      if (pipe.owned) libc.close(pipe.fd);
    }
    libc.close(fds.pidfd);
  }
}

/** Reads what `pipe` holds now: a chunk, its end, or nothing (an interrupted read). */
function readOnce(libc: Libc, pipe: Pipe, errno: () => number): void {
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

/** The exit status of `pid`, which its pidfd says has exited. */
function reap(libc: Libc, pid: number): Deno.CommandStatus {
  const word = new Int32Array(1);
  for (let tries = 0; tries < 5; tries++) {
    if (libc.waitpid_now(pid, word, WNOHANG) === pid) return decodeWaitStatus(word[0]!);
  }
  throw new Error(`could not read the exit status of process ${pid}`);
}

/**
 * Waits for `pid` with a blocking `waitpid` on Deno's blocking pool (where there is no pidfd); a
 * signal interrupting the wait just waits again.
 *
 * @example
 * ```ts
 * import { openLibc } from "./libc.ts";
 * declare const pid: number;
 * await waitFor(openLibc(), pid); // { success: true, code: 0, signal: null }
 * ```
 */
export async function waitFor(libc: Libc, pid: number): Promise<Deno.CommandStatus> {
  const word = new Int32Array(1);
  for (let tries = 0; tries < 5; tries++) {
    if (await libc.waitpid(pid, word, 0) === pid) return decodeWaitStatus(word[0]!);
  }
  throw new Error(`could not read the exit status of process ${pid}`);
}
