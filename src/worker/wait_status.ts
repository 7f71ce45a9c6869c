/**
 * Linux's signal numbers and `waitpid` status words, read the way `Deno.Command` reports them, for
 * the children the FFI spawner (`spawn_session.ts`) starts and waits for itself.
 *
 * @module
 */

/** Linux signal numbers, as `Deno.CommandStatus.signal` names them. */
const SIGNALS: readonly (Deno.Signal | null)[] = [
  null,
  "SIGHUP",
  "SIGINT",
  "SIGQUIT",
  "SIGILL",
  "SIGTRAP",
  "SIGABRT",
  "SIGBUS",
  "SIGFPE",
  "SIGKILL",
  "SIGUSR1",
  "SIGSEGV",
  "SIGUSR2",
  "SIGPIPE",
  "SIGALRM",
  "SIGTERM",
  "SIGSTKFLT",
  "SIGCHLD",
  "SIGCONT",
  "SIGSTOP",
  "SIGTSTP",
  "SIGTTIN",
  "SIGTTOU",
  "SIGURG",
  "SIGXCPU",
  "SIGXFSZ",
  "SIGVTALRM",
  "SIGPROF",
  "SIGWINCH",
  "SIGIO",
  "SIGPWR",
  "SIGSYS",
];

/**
 * Decodes a `waitpid` status word into the shape `Deno.Command` reports (pure).
 *
 * @example
 * ```ts
 * decodeWaitStatus(3 << 8); // { success: false, code: 3, signal: null }
 * decodeWaitStatus(9);      // { success: false, code: 137, signal: "SIGKILL" }
 * ```
 */
export function decodeWaitStatus(status: number): Deno.CommandStatus {
  const sig = status & 0x7f;
  if (sig === 0) {
    const code = (status >> 8) & 0xff;
    return { success: code === 0, code, signal: null };
  }
  // As Deno reports a signal death: the shell convention 128 + n, and the signal's name.
  return { success: false, code: 128 + sig, signal: SIGNALS[sig] ?? null };
}

/**
 * The Linux number of `signal`, or -1 for a name it does not know (pure).
 *
 * @example
 * ```ts
 * signalNumber("SIGKILL"); // 9
 * ```
 */
export function signalNumber(signal: Deno.Signal): number {
  return SIGNALS.indexOf(signal);
}
