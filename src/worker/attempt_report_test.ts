import { deepStrictEqual as assertEquals } from "node:assert/strict";
import type { RunResult } from "./run_command.ts";
import { toReport } from "./attempt_report.ts";

function result(overrides: Partial<RunResult> = {}): RunResult {
  return {
    exitCode: 0,
    signal: null,
    timedOut: false,
    aborted: false,
    stdout: new Uint8Array(),
    stderr: new Uint8Array(),
    stdoutBytes: 0,
    stderrBytes: 0,
    stdoutTruncated: false,
    stderrTruncated: false,
    durationMs: 12.6,
    pid: 42,
    error: null,
    ...overrides,
  };
}

const outcome = (r: RunResult, why: "canceled" | "interrupted" | null = null) => {
  const report = toReport(r, why, null);
  return [report.outcome, report.error];
};

Deno.test("toReport: exit 0 succeeded, any other end failed with its reason", () => {
  assertEquals(outcome(result()), ["succeeded", null]);
  assertEquals(outcome(result({ exitCode: 3, error: "exit code 3" })), ["failed", "exit code 3"]);
  assertEquals(outcome(result({ exitCode: null, error: "could not start: no sh" })), [
    "failed",
    "could not start: no sh",
  ]);
  assertEquals(toReport(result(), null, null).duration_ms, 13);
});

Deno.test("toReport: a timeout is timed_out, and a cancel or a forced stop wins over the exit status the abort caused", () => {
  const killed = result({ exitCode: null, signal: "SIGTERM", aborted: true, error: "killed" });
  assertEquals(outcome(result({ timedOut: true, exitCode: null, error: "timed out after 1s" })), [
    "timed_out",
    "timed out after 1s",
  ]);
  assertEquals(outcome(killed, "canceled"), ["canceled", "canceled"]);
  assertEquals(outcome(killed, "interrupted"), [
    "interrupted",
    "interrupted by a forced worker stop",
  ]);
  assertEquals(outcome(result({ timedOut: true, error: "timed out" }), "canceled"), [
    "canceled",
    "canceled",
  ]);
});
