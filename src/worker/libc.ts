/**
 * The glibc calls the worker makes through FFI (`spawn_session.ts`, `child_watch.ts`), opened
 * once per process by {@linkcode openLibc}.
 *
 * @module
 */

/**
 * The symbols, with how each is called: the calls that may block (the spawn, `poll`, the
 * blocking `waitpid`) run on Deno's blocking thread pool (`nonblocking: true`).
 *
 * @example
 * ```ts
 * Object.keys(SYMBOLS).includes("posix_spawn"); // true
 * ```
 */
export const SYMBOLS = {
  // On Deno's blocking pool: glibc's vfork-style spawn holds the calling thread until the child
  // has exec'd, about 0.7 ms here and more under load, time the event loop needs for the other
  // slots' jobs. (Calling it directly when no other child runs was no faster for a lone job and
  // slower in a drain.)
  posix_spawn: {
    parameters: ["buffer", "buffer", "buffer", "buffer", "buffer", "buffer"],
    result: "i32",
    nonblocking: true,
  },
  posix_spawnattr_init: { parameters: ["buffer"], result: "i32" },
  posix_spawnattr_setflags: { parameters: ["buffer", "i16"], result: "i32" },
  posix_spawnattr_setsigmask: { parameters: ["buffer", "buffer"], result: "i32" },
  posix_spawnattr_setsigdefault: { parameters: ["buffer", "buffer"], result: "i32" },
  posix_spawn_file_actions_init: { parameters: ["buffer"], result: "i32" },
  posix_spawn_file_actions_destroy: { parameters: ["buffer"], result: "i32" },
  posix_spawn_file_actions_adddup2: { parameters: ["buffer", "i32", "i32"], result: "i32" },
  posix_spawn_file_actions_addopen: {
    parameters: ["buffer", "i32", "buffer", "i32", "u32"],
    result: "i32",
  },
  posix_spawn_file_actions_addchdir_np: {
    parameters: ["buffer", "buffer"],
    result: "i32",
    optional: true,
  },
  sigemptyset: { parameters: ["buffer"], result: "i32" },
  sigaddset: { parameters: ["buffer", "i32"], result: "i32" },
  pipe2: { parameters: ["buffer", "i32"], result: "i32" },
  close: { parameters: ["i32"], result: "i32" },
  kill: { parameters: ["i32", "i32"], result: "i32" },
  access: { parameters: ["buffer", "i32"], result: "i32" },
  waitpid: { parameters: ["i32", "buffer", "i32"], result: "i32", nonblocking: true },
  // The same call with WNOHANG, once the child's pidfd said it exited: it returns at once.
  waitpid_now: { name: "waitpid", parameters: ["i32", "buffer", "i32"], result: "i32" },
  // A child's exit as a file descriptor (glibc 2.36, Linux 5.3), which `poll` watches beside its
  // pipes: one pool thread a running job instead of three (see `child_watch.ts`).
  pidfd_open: { parameters: ["i32", "u32"], result: "i32", optional: true },
  poll: { parameters: ["buffer", "u64", "i32"], result: "i32", nonblocking: true },
  read: { parameters: ["i32", "buffer", "usize"], result: "isize" },
  // The poller's wake-up: a new child's fds join the `poll` under way (see `child_watch.ts`).
  eventfd: { parameters: ["u32", "i32"], result: "i32" },
  write: { parameters: ["i32", "buffer", "usize"], result: "isize" },
  strerror: { parameters: ["i32"], result: "pointer" },
  __errno_location: { parameters: [], result: "pointer" },
} as const;

/** The opened symbols. */
export type Libc = Deno.DynamicLibrary<typeof SYMBOLS>["symbols"];

/**
 * Opens glibc with {@linkcode SYMBOLS}; throws where it cannot (musl, FFI denied, an old glibc).
 *
 * @example
 * ```ts
 * const libc = openLibc();
 * libc.access(new TextEncoder().encode("/\0"), 0); // 0: the root folder exists
 * ```
 */
export function openLibc(): Libc {
  return Deno.dlopen("libc.so.6", SYMBOLS).symbols;
}
