/**
 * Runs one shell command as its own process group and reports how it ended. This module knows
 * nothing about jobs, queues or KV: the worker maps a {@link RunResult} onto a job attempt.
 *
 * Every command gets a fresh session, so its pid is also its process-group id and a single
 * `kill(-pgid)` reaches the shell and everything it started, including background grandchildren
 * that would otherwise outlive the job and hold our pipes open. On Linux with glibc the session
 * comes from one posix_spawn call (`spawn_session.ts`); elsewhere from exec'ing `setsid`, else
 * Deno's `detached: true` (`command_start.ts`). A plain command may skip the shell
 * (`plain_exec.ts`).
 *
 * @module
 */
import type { OutputStream } from "../output_stream.ts";
import { capture } from "./pipe_capture.ts";
import { tryKillGroup } from "./process_group.ts";
import { startCommand } from "./command_start.ts";
import type { SessionChild } from "./spawn_session.ts";

/** Options for {@link runCommand}. Every field is optional. */
export interface RunOptions {
  /** Kill the attempt after this many ms (null/undefined/0 = no limit). */
  timeoutMs?: number | null;
  /** After TERM, wait this long before KILL of the process group. Default 2000. */
  killGraceMs?: number;
  /**
   * Aborting kills the process group (TERM, then KILL after killGraceMs). The abort reason is
   * reported back in `error` ("canceled: <reason>"). Already aborted: nothing is spawned.
   */
  signal?: AbortSignal;
  /**
   * Called with each chunk read, for live streaming (may be called many times). If it throws,
   * the group is killed and runCommand rejects with that error.
   */
  onOutput?: (stream: OutputStream, chunk: Uint8Array) => void;
  /** Bytes kept per stream in the result; the rest is counted but dropped. Default 262144. */
  outputLimit?: number;
  /**
   * Called once right after spawn with the pid, which is also the process-group id. If it
   * throws, the group is killed and runCommand rejects with that error.
   */
  onSpawn?: (pid: number) => void;
  /** Variables added to (not replacing) the inherited environment. Default: none added. */
  env?: Record<string, string>;
  /** Working directory. Default: this process's cwd. */
  cwd?: string;
  /** Shell to use, default "sh" (tests may pass a missing path to test spawn failure). */
  shell?: string;
  /**
   * Exec a command of plain words directly, without the shell, where that is sure to do what
   * the shell would (`plain_exec.ts`). Default false.
   */
  plain?: boolean;
}

/** How one run ended. `error` is null exactly when the command exited 0 on its own. */
export interface RunResult {
  /** Exit code; null when ended by a signal or not spawned. */
  exitCode: number | null;
  /** Signal that ended the shell, e.g. "SIGKILL"; null otherwise. */
  signal: string | null;
  /** Ended because `timeoutMs` elapsed. */
  timedOut: boolean;
  /** Ended because `options.signal` aborted. */
  aborted: boolean;
  /** Captured stdout, at most `outputLimit` bytes, raw (not necessarily UTF-8). */
  stdout: Uint8Array;
  /** Captured stderr, at most `outputLimit` bytes, raw (not necessarily UTF-8). */
  stderr: Uint8Array;
  /** Total stdout bytes seen, kept or not. */
  stdoutBytes: number;
  /** Total stderr bytes seen, kept or not. */
  stderrBytes: number;
  /** True when stdout had more than `outputLimit` bytes. */
  stdoutTruncated: boolean;
  /** True when stderr had more than `outputLimit` bytes. */
  stderrTruncated: boolean;
  /** From just before spawn until the shell exited. */
  durationMs: number;
  /** The shell's pid (= process-group id); null if it was never spawned. */
  pid: number | null;
  /**
   * One-line reason when it did not succeed: "exit code 3", "timed out after 5s", "killed by
   * SIGKILL", "could not start: <why>", "canceled" ... null on exit 0.
   */
  error: string | null;
}

const DEFAULT_KILL_GRACE_MS = 2000;
const DEFAULT_OUTPUT_LIMIT = 262_144;
// A member that escaped the group (its own setsid) can still hold a pipe after we KILL the
// group; past this we stop reading rather than hang. Anything already buffered reads at once.
const DRAIN_AFTER_EXIT_MS = 1000;
/**
 * The result of a command that never ran: no exit code, no output, no error yet.
 *
 * @example
 * ```ts
 * const result: RunResult = { ...NOT_RUN, error: "could not start" };
 * ```
 */
export const NOT_RUN: RunResult = Object.freeze({
  exitCode: null,
  signal: null,
  timedOut: false,
  aborted: false,
  stdout: new Uint8Array(0),
  stderr: new Uint8Array(0),
  stdoutBytes: 0,
  stderrBytes: 0,
  stdoutTruncated: false,
  stderrTruncated: false,
  durationMs: 0,
  pid: null,
  error: null,
});

/**
 * Runs `sh -c <command>` (or, with `plain`, the command's own program when it is plain words)
 * in a new process group and resolves when that process has exited, the rest of its group has
 * been killed and its output has been read. It never rejects for a command that fails or cannot
 * start; it rejects only for invalid options or a throwing callback.
 *
 * @example
 * ```ts
 * const r = await runCommand("echo hi; exit 3", { timeoutMs: 5000 });
 * r.exitCode; // 3
 * r.error; // "exit code 3"
 * new TextDecoder().decode(r.stdout); // "hi\n"
 * ```
 */
export async function runCommand(command: string, options: RunOptions = {}): Promise<RunResult> {
  const timeoutMs = options.timeoutMs ?? 0;
  const killGraceMs = options.killGraceMs ?? DEFAULT_KILL_GRACE_MS;
  const outputLimit = options.outputLimit ?? DEFAULT_OUTPUT_LIMIT;
  for (const [name, value] of Object.entries({ timeoutMs, killGraceMs, outputLimit })) {
    if (!(value >= 0 && value < Infinity)) {
      throw new RangeError(`${name} must be >= 0, got ${value}`);
    }
  }
  const started = performance.now();
  if (options.signal?.aborted) {
    return { ...NOT_RUN, aborted: true, error: canceledText(options.signal.reason) };
  }

  let child: SessionChild;
  try {
    child = await startCommand(command, options);
  } catch (err) {
    const durationMs = performance.now() - started;
    return { ...NOT_RUN, durationMs, error: `could not start: ${errorText(err)}` };
  }
  const pgid = child.pid;

  let cause: "timeout" | "abort" | "callback" | null = null;
  let exited = false;
  let callbackError: unknown = null;
  let timeoutTimer: ReturnType<typeof setTimeout> | undefined;
  let graceTimer: ReturnType<typeof setTimeout> | undefined;
  const terminate = (why: "timeout" | "abort" | "callback") => {
    // Once the shell has exited the group is killed below; a late cause must not re-arm a timer.
    if (cause !== null || exited) return;
    cause = why;
    tryKillGroup(pgid, "SIGTERM");
    graceTimer = setTimeout(() => tryKillGroup(pgid, "SIGKILL"), killGraceMs);
  };
  const onCallbackError = (err: unknown) => {
    callbackError ??= err;
    terminate("callback");
  };
  const onAbort = () => terminate("abort");

  options.signal?.addEventListener("abort", onAbort, { once: true });
  // An abort that came while the spawn was under way finds the group now.
  if (options.signal?.aborted) onAbort();
  if (timeoutMs > 0) timeoutTimer = setTimeout(() => terminate("timeout"), timeoutMs);
  try {
    options.onSpawn?.(pgid);
  } catch (err) {
    onCallbackError(err);
  }

  const emit = (name: OutputStream, chunk: Uint8Array) => {
    try {
      options.onOutput?.(name, chunk);
    } catch (err) {
      onCallbackError(err);
    }
  };
  const readers = [
    capture("stdout", child.stdout, outputLimit, emit),
    capture("stderr", child.stderr, outputLimit, emit),
  ] as const;
  const reading = Promise.all(readers.map((r) => r.done));

  let lost: string | null = null;
  const status = await child.status.catch((err): Deno.CommandStatus => {
    lost = errorText(err);
    return { success: false, code: 1, signal: null };
  });
  exited = true;
  const durationMs = performance.now() - started;
  clearTimeout(timeoutTimer);
  options.signal?.removeEventListener("abort", onAbort);
  // The shell is gone, so nothing may legitimately still run in its group; killing now frees
  // the pipes that background grandchildren inherited, so the reads below can finish.
  tryKillGroup(pgid, "SIGKILL");
  clearTimeout(graceTimer);
  const drainTimer = setTimeout(() => readers.forEach((r) => r.cancel()), DRAIN_AFTER_EXIT_MS);
  await reading;
  clearTimeout(drainTimer);
  if (callbackError !== null) throw callbackError;

  const [out, err] = readers;
  const signal = status.signal ?? null;
  const exitCode = signal === null && lost === null ? status.code : null;
  let error: string | null = null;
  if (lost !== null) error = `lost its exit status: ${lost}`;
  else if (cause === "timeout") error = `timed out after ${formatMs(timeoutMs)}`;
  else if (cause === "abort") error = canceledText(options.signal?.reason);
  else if (signal !== null) error = `killed by ${signal}`;
  else if (exitCode !== 0) error = `exit code ${exitCode}`;
  return {
    exitCode,
    signal,
    timedOut: cause === "timeout",
    aborted: cause === "abort",
    stdout: out.bytes(),
    stderr: err.bytes(),
    stdoutBytes: out.total(),
    stderrBytes: err.total(),
    stdoutTruncated: out.total() > outputLimit,
    stderrTruncated: err.total() > outputLimit,
    durationMs,
    pid: pgid,
    error,
  };
}

function canceledText(reason: unknown): string {
  // The default reason (a DOMException "AbortError") carries no information worth showing.
  if (reason === undefined || (reason instanceof DOMException && reason.name === "AbortError")) {
    return "canceled";
  }
  return `canceled: ${errorText(reason)}`;
}

function errorText(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  return text.split("\n")[0] ?? "";
}

function formatMs(ms: number): string {
  return ms < 1000 ? `${ms}ms` : `${Number((ms / 1000).toFixed(3))}s`;
}
