/**
 * Starts `sh -c` as the leader of a new session with one `posix_spawn(3)` call, through FFI into
 * glibc, which has `POSIX_SPAWN_SETSID`. Deno has no way to ask for a new session without cost:
 * `detached: true` forks the whole worker process, and exec'ing `setsid` first runs a second
 * program before the shell. On this 2-core VM `setsid` alone cost 1.37 ms of CPU per job (perf,
 * one worker, 3,000 `true` jobs), more than `sh` itself. glibc's posix_spawn uses
 * `clone(CLONE_VM | CLONE_VFORK)`, so no page tables are copied, and the shell is the only
 * program exec'd.
 *
 * The child gets what `Deno.Command` gives it: stdin from /dev/null, two pipes for stdout and
 * stderr, an empty signal mask and SIGPIPE back at its default (Deno ignores SIGPIPE, and an
 * ignored signal survives exec), the whole environment plus the additions, and the working
 * directory. Its pipes and its exit are watched by the process's one `poll` on Deno's blocking
 * thread pool, on every child's pipes and pidfd (`child_watch.ts`). Without `pidfd_open` (a glibc
 * before 2.36) or an eventfd, the read ends are reopened through `/proc/self/fd` as ordinary Deno
 * files, whose reads run on that pool, and the exit status comes from a blocking `waitpid` there:
 * three pool threads a running job.
 *
 * Only on Linux with glibc and FFI allowed. {@linkcode sessionSpawner} returns null elsewhere,
 * and when `QUEUECTL_SPAWN=setsid` asks for the portable way.
 *
 * @module
 */
import { signalNumber } from "./wait_status.ts";
import { type Libc, openLibc } from "./libc.ts";
import { childPoller, waitFor } from "./child_watch.ts";

/** A child started by {@linkcode SessionSpawner.spawn}: the parts of `Deno.ChildProcess` used. */
export interface SessionChild {
  /** The shell's pid, which is also its session and process-group id. */
  pid: number;
  /** The shell's standard output, read to its end. */
  stdout: ReadableStream<Uint8Array<ArrayBuffer>>;
  /** The shell's standard error, read to its end. */
  stderr: ReadableStream<Uint8Array<ArrayBuffer>>;
  /** Settles when the shell has exited; rejects only if its status could not be read. */
  status: Promise<Deno.CommandStatus>;
}

/** Starts programs as session leaders. */
export interface SessionSpawner {
  /**
   * Starts `path` with `args` (argv[0] first), with this process's environment plus `env`, or
   * `env` alone when `inherit` is false. Rejects with an Error whose message says why when it
   * cannot start (e.g. "No such file or directory"); nothing then runs.
   */
  spawn(
    path: string,
    args: readonly string[],
    options: { env?: Record<string, string>; cwd?: string; inherit?: boolean },
  ): Promise<SessionChild>;
  /**
   * Sends `signal` to process group `pgid` (above 1) with kill(2) and reports whether it was
   * delivered. Unlike `Deno.kill`, a group that is gone costs no exception: after every job the
   * group is usually gone already, and the error Deno builds for that was a visible cost.
   */
  killGroup(pgid: number, signal: Deno.Signal): boolean;
  /**
   * Whether `path` names something that exists, with access(2). A miss costs no exception: a
   * PATH search misses in most of its folders, and Deno's error for each was a visible cost.
   */
  exists(path: string): boolean;
}

// glibc on Linux (x86_64 and aarch64 alike).
const POSIX_SPAWN_SETSIGDEF = 0x04;
const POSIX_SPAWN_SETSIGMASK = 0x08;
const POSIX_SPAWN_SETSID = 0x80;
const O_CLOEXEC = 0o2000000;
const SIGPIPE = 13;
// Larger than glibc's posix_spawnattr_t (336 bytes), file actions (80) and sigset_t (128).
const ATTR_BYTES = 512;
const ACTIONS_BYTES = 256;
const SIGSET_BYTES = 128;

const encoder = new TextEncoder();
let cached: SessionSpawner | null | undefined;
let inherited: Record<string, string> | undefined;

/**
 * This process's environment, read once: a worker never changes its own, and reading it costs
 * a copy of every variable per job.
 *
 * @example
 * ```ts
 * inheritedEnv().PATH; // as when first read
 * ```
 */
export function inheritedEnv(): Readonly<Record<string, string>> {
  return inherited ??= Deno.env.toObject();
}
const pinned: { buffers: unknown } = { buffers: null };

/**
 * The spawner, or null where it cannot work (not Linux, no glibc, FFI not allowed) or where
 * `QUEUECTL_SPAWN=setsid` turns it off. The library is opened once per process.
 *
 * @example
 * ```ts
 * const child = await sessionSpawner()?.spawn("/bin/sh", ["sh", "-c", "echo hi"], {});
 * ```
 */
export function sessionSpawner(): SessionSpawner | null {
  if (cached !== undefined) return cached;
  cached = null;
  if (Deno.build.os !== "linux" || Deno.env.get("QUEUECTL_SPAWN") === "setsid") return cached;
  try {
    // Without these permissions Deno would prompt (or throw) on the first job: ask quietly.
    const granted = (d: Deno.PermissionDescriptor) =>
      Deno.permissions.querySync(d).state === "granted";
    if (!granted({ name: "ffi" }) || !granted({ name: "read", path: "/proc/self/fd" })) {
      return cached;
    }
    cached = makeSpawner(openLibc());
  } catch {
    // musl, FFI denied, or an old glibc: the caller falls back to Deno.Command.
  }
  return cached;
}

function makeSpawner(libc: Libc): SessionSpawner {
  const attr = new Uint8Array(ATTR_BYTES);
  const none = new Uint8Array(SIGSET_BYTES);
  const pipeOnly = new Uint8Array(SIGSET_BYTES);
  const ok = libc.posix_spawnattr_init(attr) === 0 &&
    libc.sigemptyset(none) === 0 &&
    libc.sigemptyset(pipeOnly) === 0 &&
    libc.sigaddset(pipeOnly, SIGPIPE) === 0 &&
    libc.posix_spawnattr_setsigmask(attr, none) === 0 &&
    libc.posix_spawnattr_setsigdefault(attr, pipeOnly) === 0 &&
    libc.posix_spawnattr_setflags(
        attr,
        POSIX_SPAWN_SETSID | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF,
      ) === 0;
  if (!ok) throw new Error("posix_spawnattr set-up failed");
  const devNull = cString("/dev/null");
  const errorText = (errno: number) => {
    const p = libc.strerror(errno);
    return p === null ? `errno ${errno}` : Deno.UnsafePointerView.getCString(p);
  };
  const lastErrno = () => {
    const p = libc.__errno_location();
    return p === null ? 0 : new Deno.UnsafePointerView(p).getInt32();
  };
  // One poll for every child's pipes and exit; without pidfd_open or eventfd, Deno files.
  const poller = libc.pidfd_open ? childPoller(libc, lastErrno) : null;
  const pipe = (): [number, number] => {
    const fds = new Int32Array(2);
    if (libc.pipe2(fds, O_CLOEXEC) !== 0) throw new Error(errorText(lastErrno()));
    return [fds[0]!, fds[1]!];
  };

  return {
    exists(path) {
      return !path.includes("\0") && libc.access(cString(path), 0) === 0;
    },
    killGroup(pgid, signal) {
      const signo = signalNumber(signal);
      if (!Number.isInteger(pgid) || pgid <= 1 || signo <= 0) {
        throw new RangeError(`cannot signal process group ${pgid} with ${signal}`);
      }
      return libc.kill(-pgid, signo) === 0;
    },
    async spawn(path, args, options) {
      if (options.cwd !== undefined && libc.posix_spawn_file_actions_addchdir_np === null) {
        throw new Error("this C library cannot set the working directory of a spawned process");
      }
      const env = options.inherit === false
        ? { ...options.env }
        : { ...inheritedEnv(), ...options.env };
      const argv = cStrings(args);
      const envp = cStrings(Object.entries(env).map(([k, v]) => `${k}=${v}`));
      const program = cString(path);
      const dir = options.cwd === undefined ? null : cString(options.cwd);
      const outPipe = pipe();
      let outRead = outPipe[0];
      const outWrite = outPipe[1];
      let errRead = -1;
      let errWrite = -1;
      const actions = new Uint8Array(ACTIONS_BYTES);
      const pidOut = new Int32Array(1);
      let actionsReady = false;
      let pid = -1;
      try {
        [errRead, errWrite] = pipe();
        actionsReady = libc.posix_spawn_file_actions_init(actions) === 0;
        const set = actionsReady &&
          libc.posix_spawn_file_actions_addopen(actions, 0, devNull, 0, 0) === 0 &&
          libc.posix_spawn_file_actions_adddup2(actions, outWrite, 1) === 0 &&
          libc.posix_spawn_file_actions_adddup2(actions, errWrite, 2) === 0 &&
          (dir === null || libc.posix_spawn_file_actions_addchdir_np!(actions, dir) === 0);
        if (!set) throw new Error("posix_spawn file actions set-up failed");
        const args = [pidOut, program, actions, attr, argv.pointers, envp.pointers] as const;
        const rc = await libc.posix_spawn(...args);
        if (rc !== 0) throw new Error(errorText(rc));
        pid = pidOut[0]!;
        const pidfd = poller ? libc.pidfd_open!(pid, 0) : -1;
        if (pidfd >= 0) {
          const watched = poller!.watch({ pid, pidfd, stdout: outRead, stderr: errRead });
          outRead = errRead = -1; // The watch closes them.
          return { pid, ...watched };
        }
        // Reopened while our write ends are still open: opening a pipe with no writer blocks.
        const stdout = Deno.openSync(`/proc/self/fd/${outRead}`, { read: true });
        const stderr = Deno.openSync(`/proc/self/fd/${errRead}`, { read: true });
        return {
          pid,
          stdout: stdout.readable,
          stderr: stderr.readable,
          status: waitFor(libc, pid),
        };
      } catch (err) {
        // Started but not handed over: it must neither run on unread pipes nor stay a zombie.
        if (pid > 0) {
          try {
            Deno.kill(-pid, "SIGKILL");
          } catch {
            // Already gone.
          }
          waitFor(libc, pid).catch(() => {});
        }
        throw err;
      } finally {
        // The pointer arrays point into these buffers, which the spawning thread read: they must
        // stay reachable until here.
        pinned.buffers = [argv, envp, program, dir, pidOut];
        if (actionsReady) libc.posix_spawn_file_actions_destroy(actions);
        for (const fd of [outRead, outWrite, errRead, errWrite]) if (fd >= 0) libc.close(fd);
      }
    },
  };
}

interface CStrings {
  bytes: Uint8Array;
  pointers: BigUint64Array;
}

/** NUL-terminated strings in one buffer, and the NULL-terminated array of pointers to them. */
function cStrings(list: readonly string[]): CStrings {
  const bytes = encoder.encode(list.join("\0") + "\0");
  const pointers = new BigUint64Array(list.length + 1);
  const base = BigInt(Deno.UnsafePointer.value(Deno.UnsafePointer.of(bytes)));
  let start = 0;
  let n = 0;
  for (let i = 0; i < bytes.length; i++) {
    if (bytes[i] !== 0) continue;
    if (n === list.length) throw new TypeError("nul byte found in provided data");
    pointers[n++] = base + BigInt(start);
    start = i + 1;
  }
  // A string with a NUL of its own would shift every pointer after it.
  if (n !== list.length) throw new TypeError("nul byte found in provided data");
  return { bytes, pointers };
}

function cString(s: string): Uint8Array {
  if (s.includes("\0")) throw new TypeError("nul byte found in provided data");
  return encoder.encode(s + "\0");
}
