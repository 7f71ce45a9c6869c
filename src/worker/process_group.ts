/**
 * Process groups: signalling a job's whole group, and telling whether a process still lives.
 *
 * @module
 */
import { sessionSpawner } from "./spawn_session.ts";

/**
 * Sends `signal` to every process in group `pgid`; ignores ESRCH (already gone). Returns whether
 * it was delivered. Deno 2.9.6 passes a negative pid straight to kill(2), which addresses the
 * group, so no external `kill` binary is needed. Other errors (e.g. EPERM) are thrown.
 *
 * @example
 * ```ts
 * import type { RunResult } from "./run_command.ts";
 * declare const result: RunResult; // of a job that timed out
 * killProcessGroup(result.pid!, "SIGTERM"); // false if the group already exited
 * ```
 */
export function killProcessGroup(pgid: number, signal: Deno.Signal): boolean {
  // kill(-1) signals every process we may signal and kill(-0) our own group: never allow those.
  if (!Number.isInteger(pgid) || pgid <= 1) {
    throw new RangeError(`process-group id must be an integer above 1, got ${pgid}`);
  }
  try {
    Deno.kill(-pgid, signal);
    return true;
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return false;
    throw err;
  }
}

/**
 * True if a process with this pid exists (kill 0) and is not a zombie. Zombies count as gone
 * because an orphan killed here may never be reaped when PID 1 does not reap (some containers).
 *
 * @example
 * ```ts
 * declare const pid: number; // a lost run's process group
 * if (isProcessAlive(pid)) killProcessGroup(pid, "SIGKILL");
 * ```
 */
export function isProcessAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    // Signal 0 is not in Deno.Signal's type, but Deno 2.9.6 passes it through to kill(2).
    Deno.kill(pid, 0 as unknown as Deno.Signal);
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return false;
    // EPERM: it exists, it just is not ours.
    if (!(err instanceof Deno.errors.PermissionDenied)) throw err;
  }
  try {
    const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
    // The state letter follows the last ")", since the command name itself may hold ")".
    return stat[stat.lastIndexOf(")") + 2] !== "Z";
  } catch {
    // No /proc (not Linux), or it exited since kill(0): kill(0)'s answer is the best we have.
    return true;
  }
}

/**
 * Best-effort group kill that never throws: the group may be gone, or the pid reused by something
 * not ours.
 *
 * @example
 * ```ts
 * declare const pgid: number; // a job's process group, maybe gone already
 * tryKillGroup(pgid, "SIGKILL");
 * ```
 */
export function tryKillGroup(pgid: number, signal: Deno.Signal): void {
  // After every job the group is usually gone already. Deno reports that by throwing, so the
  // FFI kill is used where it exists, and elsewhere no stack trace is captured for it.
  const spawner = sessionSpawner();
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    if (spawner) spawner.killGroup(pgid, signal);
    else killProcessGroup(pgid, signal);
  } catch {
    // Nothing better to do; the post-exit KILL and the drain deadline still bound the run.
  } finally {
    Error.stackTraceLimit = limit;
  }
}
