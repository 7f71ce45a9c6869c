/**
 * Watching the children this process spawned with one thread of Deno's blocking pool for all of
 * them. Reading a child's two pipes as Deno files and waiting for it with a blocking `waitpid`
 * each hold a pool thread for the whole run, and the pool has 32: from 11 running jobs on, a
 * spawn (which runs on the pool too) waited for a job to end. With 16 slots the spawn took 12 ms
 * instead of 1 and each job's run 66 ms instead of 54 for `sleep 0.05` (docs/PERFORMANCE.md,
 * "Slots"). A `poll` per child would still fill the pool past about 30 running jobs.
 *
 * Here one `poll(2)` on the pool watches every child's pipes and pidfd (readable once it has
 * exited), and an eventfd that a new child rings so that its fds join. What a pipe holds is read
 * at once on the event loop (a `read` of a pipe that `poll` found ready does not block), and an
 * exit is reaped with `WNOHANG`. An ordinary job costs two returns of the poll, often shared
 * with other jobs': its spawn's ring, and its exit with both pipes' ends.
 *
 * @module
 */
import type { Libc } from "./libc.ts";
import { type Pipe, pipeOf, readOnce } from "./poll_pipe.ts";
import { decodeWaitStatus } from "./wait_status.ts";

const POLLIN = 0x1;
const POLLHUP = 0x10;
const WNOHANG = 1;
const EFD_CLOEXEC = 0o2000000;
const EFD_NONBLOCK = 0o4000;
/** Failed polls in a row before the poller gives up on the pipes (each is tried again at once). */
const MAX_FAILED_POLLS = 100;
/**
 * How long a `poll` lasts while a child has exited and only its pipes are left (a member that
 * escaped its group may hold them): a read cancelled meanwhile is noticed within this.
 */
const AFTER_EXIT_POLL_MS = 100;

/** What {@linkcode ChildPoller.watch} watches: a child's pid, its pidfd and its pipes. */
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

interface Watch {
  fds: WatchedFds;
  pipes: [Pipe, Pipe];
  exit: Deno.CommandStatus | null;
  exited: PromiseWithResolvers<Deno.CommandStatus>;
}

/**
 * The poller of this process's children, or null where it cannot be made (no eventfd): the
 * spawner then reads each child's pipes as Deno files. `errno` reads the calling thread's errno.
 *
 * @example
 * ```ts
 * import { openLibc } from "./libc.ts";
 * declare const errno: () => number;
 * declare const fds: WatchedFds;
 * const child = childPoller(openLibc(), errno)?.watch(fds);
 * ```
 */
export function childPoller(libc: Libc, errno: () => number): ChildPoller | null {
  const wake = libc.eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  return wake < 0 ? null : new ChildPoller(libc, { wake, errno });
}

/**
 * Watches children started by `posix_spawn`: streams their pipes and reaps them, with one `poll`
 * at a time on Deno's blocking pool for all of them (see the module's documentation).
 *
 * @example
 * ```ts
 * declare const poller: ChildPoller;
 * declare const fds: WatchedFds;
 * const child = poller.watch(fds);
 * await child.status; // { success: true, code: 0, signal: null }
 * ```
 */
export class ChildPoller {
  readonly #libc: Libc;
  readonly #wake: number;
  readonly #errno: () => number;
  #watches: Watch[] = [];
  #looping = false;
  #polling = false;
  #set = new Uint8Array(8 * 16);

  /**
   * @param libc the opened glibc
   * @param options `wake`: a nonblocking eventfd, which the poller owns; `errno`: the calling
   * thread's errno
   */
  constructor(libc: Libc, options: { wake: number; errno: () => number }) {
    this.#libc = libc;
    this.#wake = options.wake;
    this.#errno = options.errno;
  }

  /** Watches a child from now until it has exited and both its pipes are read or cancelled. */
  watch(fds: WatchedFds): Watched {
    const pipes: [Pipe, Pipe] = [pipeOf(fds.stdout), pipeOf(fds.stderr)];
    const w: Watch = { fds, pipes, exit: null, exited: Promise.withResolvers() };
    this.#watches.push(w);
    if (!this.#looping) this.#loop();
    else if (this.#polling) this.#ring();
    return { stdout: pipes[0].stream, stderr: pipes[1].stream, status: w.exited.promise };
  }

  /** Ends the poll under way, so that the next one takes in the new child. */
  #ring(): void {
    this.#libc.write(this.#wake, new BigUint64Array([1n]), 8n);
  }

  /** Polls while any child is watched; exits and pipes are handled between the polls. */
  async #loop(): Promise<void> {
    this.#looping = true;
    let failedPolls = 0;
    try {
      while (this.#watches.length > 0) {
        // A copy: children added during the poll are not in its set (their ring ends it).
        const list = this.#watches.slice();
        const count = 1 + 3 * list.length;
        if (this.#set.byteLength < 8 * count) this.#set = new Uint8Array(16 * count);
        // struct pollfd: int fd, short events, short revents. A negative fd is skipped by poll.
        const set = new DataView(this.#set.buffer);
        const put = (i: number, fd: number) => {
          set.setInt32(8 * i, fd, true);
          set.setInt16(8 * i + 4, POLLIN, true);
          set.setInt16(8 * i + 6, 0, true);
        };
        put(0, this.#wake);
        let draining = false;
        for (const [j, w] of list.entries()) {
          put(1 + 3 * j, w.pipes[0].open ? w.pipes[0].fd : -1);
          put(2 + 3 * j, w.pipes[1].open ? w.pipes[1].fd : -1);
          put(3 + 3 * j, w.exit ? -1 : w.fds.pidfd);
          draining ||= w.exit !== null;
        }
        this.#polling = true;
        const ready = await this.#libc.poll(
          this.#set,
          BigInt(count),
          draining ? AFTER_EXIT_POLL_MS : -1,
        );
        this.#polling = false;
        // The pool thread's errno is out of reach: a failed poll (a signal, EINTR) is tried again.
        if (ready < 0) {
          if (++failedPolls >= MAX_FAILED_POLLS) throw new Error("poll failed");
          continue;
        }
        failedPolls = 0;
        if (set.getInt16(6, true) !== 0) this.#libc.read(this.#wake, new BigUint64Array(1), 8n);
        for (const [j, w] of list.entries()) this.#handle(w, set, 1 + 3 * j);
        this.#watches = this.#watches.filter((w) => {
          const done = w.exit !== null && !w.pipes.some((p) => p.open);
          if (done) this.#close(w, null);
          return !done;
        });
      }
    } catch (err) {
      const failure = err instanceof Error ? err : new Error(String(err));
      for (const w of this.#watches) {
        // The exit is still waited for, on the pool as where there is no pidfd: no zombie,
        // and the status is not lost. Only the output is cut short.
        if (w.exit === null) waitFor(this.#libc, w.fds.pid).then(w.exited.resolve, w.exited.reject);
        this.#close(w, failure);
      }
      this.#watches = [];
    } finally {
      this.#polling = false;
      this.#looping = false;
    }
  }

  /** What the poll says of one child: its pipes' data or ends, and its exit. */
  #handle(w: Watch, set: DataView, at: number): void {
    const libc = this.#libc;
    for (const [i, pipe] of w.pipes.entries()) {
      const revents = set.getInt16(8 * (at + i) + 6, true);
      if (pipe.open && revents !== 0) readOnce(libc, pipe, this.#errno);
      // Every writer is gone: what is left reads without blocking, to its end, with no
      // further poll (a job that printed and exited then costs one poll, not two).
      for (let n = 0; n < 64 && pipe.open && (revents & POLLHUP) !== 0; n++) {
        readOnce(libc, pipe, this.#errno);
      }
      if (!pipe.open && pipe.owned) {
        pipe.owned = false;
        libc.close(pipe.fd);
      }
    }
    if (w.exit === null && set.getInt16(8 * (at + 2) + 6, true) !== 0) {
      try {
        w.exit = reap(libc, w.fds.pid);
        w.exited.resolve(w.exit);
      } catch (err) {
        w.exited.reject(err);
        w.exit = { success: false, code: 1, signal: null }; // Reaped or not, no longer watched.
      }
    }
  }

  /** Closes what the watch of `w` still holds, ending its open streams with `failure`. */
  #close(w: Watch, failure: Error | null): void {
    for (const pipe of w.pipes) {
      if (pipe.open) {
        pipe.open = false;
        try {
          pipe.controller.error(failure ?? new Error("the watch ended"));
        } catch {
          // Already closed.
        }
      }
      if (pipe.owned) {
        pipe.owned = false;
        this.#libc.close(pipe.fd);
      }
    }
    this.#libc.close(w.fds.pidfd);
  }
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
