/**
 * What a finished command means for its attempt (pure), and the small helpers the worker's
 * loops share.
 *
 * @module
 */
import type { AttemptReport } from "../store/finish.ts";
import type { RunResult } from "./run_command.ts";

/**
 * Why a running attempt was aborted from outside the process: a cancel, a forced stop, or the
 * discovery that the job was recovered from this worker while it ran.
 */
export type AbortWhy = "canceled" | "interrupted" | "taken_over";

/**
 * The attempt's report from the command's result and why, if at all, it was aborted (pure). A
 * cancel or a forced stop wins over the exit status the abort caused.
 *
 * @example
 * ```ts
 * import type { RunResult } from "./run_command.ts";
 * declare const result: RunResult;
 * const output = {
 *   stdout_bytes: result.stdoutBytes,
 *   stderr_bytes: result.stderrBytes,
 *   truncated: result.stdoutTruncated || result.stderrTruncated,
 * };
 * toReport(result, null, output).outcome; // "succeeded" when it exited 0 without error
 * ```
 */
export function toReport(
  result: RunResult,
  why: AbortWhy | null,
  output: AttemptReport["output"],
): AttemptReport {
  const base = {
    exit_code: result.exitCode,
    signal: result.signal,
    duration_ms: Math.round(result.durationMs),
    output,
  };
  if (why === "canceled") return { ...base, outcome: "canceled", error: "canceled" };
  if (why === "interrupted") {
    return { ...base, outcome: "interrupted", error: "interrupted by a forced worker stop" };
  }
  if (why === "taken_over") {
    // Never written (the job's record has moved on), but logged as what it was.
    return { ...base, outcome: "worker_lost", error: "taken over: its worker's lease had lapsed" };
  }
  if (result.timedOut) return { ...base, outcome: "timed_out", error: result.error };
  if (result.exitCode === 0 && !result.error) return { ...base, outcome: "succeeded", error: null };
  return { ...base, outcome: "failed", error: result.error ?? "failed" };
}

/** Resolves after `ms`, or at once when `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal?.removeEventListener("abort", done);
      resolve();
    }
    signal?.addEventListener("abort", done, { once: true });
  });
}

/** The first line of an error's message, for one-line log fields. */
export function errorLine(err: unknown): string {
  return err instanceof Error ? err.message.split("\n")[0]! : String(err);
}
