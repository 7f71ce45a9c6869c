/**
 * The one place errors become exit codes: 0 ok, 1 operation failed, 2 bad usage or input.
 * Only a UsageError is bad input: input is validated into UsageErrors before anything runs, so
 * any other error, a storage limit's LimitError included, is a failure of the program (exit 1).
 *
 * @module
 */
import { LimitError, OperationError, UsageError } from "../errors.ts";

/**
 * Exit codes of the CLI contract. `wait`, `enqueue --wait` and `logs --follow` also exit with a
 * job's own exit code, and with these for the ends that have none: `dead` (the last attempt was
 * killed by a signal, timed out or lost its worker), `canceled`, and `timedOut` (their
 * `--timeout` ran out first; 124 as GNU `timeout`). 120 and 121 are clear of the shell's own
 * (126, 127, 128 + signal) and of the small codes programs use.
 */
export const EXIT = {
  ok: 0,
  failed: 1,
  usage: 2,
  dead: 120,
  canceled: 121,
  timedOut: 124,
} as const;

/**
 * Thrown by a command that must end with an exit code of its own (a waited job's): the CLI
 * exits with `code`, printing `message` (one line) to stderr when there is one.
 *
 * @example
 * ```ts
 * exitFor(new CommandExit(7)); // { code: 7, message: null }
 * ```
 */
export class CommandExit extends Error {
  /**
   * @param code the exit code, 0 to 255
   * @param message a line for stderr, or null for none
   */
  constructor(readonly code: number, message: string | null = null) {
    super(message ?? `exit ${code}`);
    this.name = "CommandExit";
    this.line = message;
  }
  /** The line for stderr, or null. */
  readonly line: string | null;
}

/**
 * Thrown when standard output was closed by its reader (`queuectl list | head -1`): the command
 * stops and exits 0 without a message, like other well-behaved filters.
 *
 * @example
 * ```ts
 * exitFor(new OutputClosed()); // { code: 0, message: null }
 * ```
 */
export class OutputClosed extends Error {
  constructor() {
    super("standard output was closed");
    this.name = "OutputClosed";
  }
}

/**
 * The exit code and the one line to print for an error thrown by a command (pure).
 *
 * @example
 * ```ts
 * import { LimitError, UsageError } from "../errors.ts";
 * exitFor(new UsageError("bad priority")); // { code: 2, message: "queuectl: bad priority" }
 * exitFor(new LimitError("database limit: Value too large (max 65536 bytes)"));
 * // { code: 1, message: "queuectl: database limit: Value too large (max 65536 bytes)" }
 * ```
 */
export function exitFor(err: unknown): { code: number; message: string | null } {
  if (err instanceof OutputClosed) return { code: EXIT.ok, message: null };
  if (err instanceof CommandExit) {
    return { code: err.code, message: err.line === null ? null : `queuectl: ${oneLine(err.line)}` };
  }
  if (err instanceof UsageError) {
    return { code: EXIT.usage, message: `queuectl: ${oneLine(err.message)}` };
  }
  if (err instanceof OperationError || err instanceof LimitError) {
    return { code: EXIT.failed, message: `queuectl: ${oneLine(err.message)}` };
  }
  if (err instanceof Deno.errors.PermissionDenied || err instanceof Deno.errors.NotFound) {
    return { code: EXIT.failed, message: `queuectl: ${oneLine(err.message)}` };
  }
  const msg = err instanceof Error ? err.message : String(err);
  return { code: EXIT.failed, message: `queuectl: unexpected error: ${oneLine(msg)}` };
}

/**
 * The first line of `text`, trimmed: every message the CLI prints is one line (pure).
 *
 * @example
 * ```ts
 * oneLine("bad value\n  at parse"); // "bad value"
 * ```
 */
export function oneLine(text: string): string {
  return text.split("\n")[0]!.trim();
}
