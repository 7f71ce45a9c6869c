/**
 * Finding and killing what is left of one job run on this host when its worker died.
 *
 * Every job is started with `QUEUECTL_WORKER_ID`, `QUEUECTL_JOB_ID` and `QUEUECTL_RUN` in its
 * environment. The spawn that starts the shell sets them, so they are there before the command's
 * first instruction, and every process it starts inherits them. A worker killed at any moment,
 * even before it could publish the job's process group, therefore leaves processes that can be
 * found by what they carry: `/proc/PID/environ` holds the environment a program was exec'd with.
 * Each process so marked is killed, and so is every process in its session (each job is the
 * leader of a session of its own), which reaches a child that emptied its environment but stayed
 * in the job's session, and so is every member of the process group the worker published, if it
 * did. Only a process that both left the session (`setsid`) and dropped the marks (`env -i`)
 * escapes. Where `/proc` is missing (not Linux) the published group is all that can be reached.
 *
 * @module
 */
import { tryKillGroup } from "./process_group.ts";

/** Which run a process belongs to: the worker that started it, the job and the run number. */
export interface RunMark {
  /** The worker id (`host:pid:suffix`), unique per worker process. */
  worker: string;
  /** The job id. */
  job: string;
  /** The job's run number (its attempt record's `n`). */
  run: number;
}

/** One process as read from `/proc`: its pid, group, session and whether it carries the mark. */
export interface ProcessView {
  /** Its pid. */
  pid: number;
  /** Its process-group id. */
  pgid: number;
  /** Its session id. */
  sid: number;
  /** Whether its environment names the run looked for. */
  marked: boolean;
}

/**
 * The variables that mark a job's processes, added to the environment it inherits. Jobs may read
 * them too (`QUEUECTL_JOB_ID`, `QUEUECTL_RUN`; `QUEUECTL_ATTEMPT` is added by the caller).
 *
 * @example
 * ```ts
 * runEnv({ worker: "h:42:ab", job: "build", run: 2 });
 * // { QUEUECTL_WORKER_ID: "h:42:ab", QUEUECTL_JOB_ID: "build", QUEUECTL_RUN: "2" }
 * ```
 */
export function runEnv(mark: RunMark): Record<string, string> {
  return {
    QUEUECTL_WORKER_ID: mark.worker,
    QUEUECTL_JOB_ID: mark.job,
    QUEUECTL_RUN: String(mark.run),
  };
}

/**
 * Whether an environment block (`/proc/PID/environ`: `NAME=value` entries, each ended by a NUL)
 * carries every variable of `mark` (pure).
 *
 * @example
 * ```ts
 * carriesMark("A=1\0QUEUECTL_WORKER_ID=w\0QUEUECTL_JOB_ID=j\0QUEUECTL_RUN=1\0", { worker: "w", job: "j", run: 1 }); // true
 * ```
 */
export function carriesMark(environ: string, mark: RunMark): boolean {
  const block = `\0${environ}`;
  return Object.entries(runEnv(mark)).every(([name, value]) =>
    block.includes(`\0${name}=${value}\0`)
  );
}

/**
 * The pids to kill (pure): every marked process, every process in a marked process's session,
 * and every member of the run's published process group `pgid`; never this process, its own
 * session or group, nor pid, group or session 0 or 1.
 *
 * @example
 * ```ts
 * const self = { pid: 5, pgid: 5, sid: 5 };
 * orphanPids([{ pid: 10, pgid: 10, sid: 10, marked: true }, { pid: 11, pgid: 11, sid: 10, marked: false }], self, null);
 * // [10, 11]
 * ```
 */
export function orphanPids(
  procs: readonly ProcessView[],
  self: { pid: number; pgid: number; sid: number },
  pgid: number | null,
): number[] {
  const sessions = new Set(
    procs.filter((p) => p.marked && p.sid > 1 && p.sid !== self.sid).map((p) => p.sid),
  );
  const group = pgid !== null && pgid > 1 && pgid !== self.pgid ? pgid : null;
  return procs
    .filter((p) => p.pid > 1 && p.pid !== self.pid)
    .filter((p) => p.marked || sessions.has(p.sid) || p.pgid === group)
    .map((p) => p.pid);
}

/** Options of {@linkcode killRunProcesses}. */
export interface KillRunOptions {
  /** The run's process group as its worker published it, if it did; killed as well. */
  pgid?: number | null;
  /** How long to keep looking for processes that were forked while we killed. Default 1000. */
  settleMs?: number;
  /** Told each round's pids just before they are killed, so a count can outlive this process. */
  beforeKill?: (pids: readonly number[]) => void;
}

/**
 * Kills every live process of the run `mark` on this host and returns how many there were.
 * Looks again until none is left (a process may fork while its siblings are being killed), for
 * at most `settleMs`. Never throws: a process that is gone or not ours is skipped.
 *
 * @example
 * ```ts
 * const killed = await killRunProcesses({ worker: "h:42:ab", job: "build", run: 2 }, { pgid: null });
 * ```
 */
export async function killRunProcesses(
  mark: RunMark,
  options: KillRunOptions = {},
): Promise<number> {
  const pgid = options.pgid ?? null;
  const self = readStat("self");
  if (self === null) {
    // No /proc: the published group is all there is to reach, and nothing can count it.
    if (pgid !== null && pgid > 1) tryKillGroup(pgid, "SIGKILL");
    return 0;
  }
  const killed = new Set<number>();
  const deadline = Date.now() + (options.settleMs ?? 1000);
  for (let round = 0;; round++) {
    const pids = orphanPids(readProcesses(mark), { ...self, pid: Deno.pid }, pgid);
    if (pids.length === 0 || Date.now() > deadline) break;
    options.beforeKill?.(pids);
    for (const pid of pids) {
      killed.add(pid);
      tryKill(pid);
    }
    // SIGKILL takes effect within a scheduler tick; look again soon after, a little later each time.
    await new Promise((r) => setTimeout(r, Math.min(50, 2 ** round)));
  }
  return killed.size;
}

/** Every live (not zombie) process we may read, with whether it carries the mark. */
function readProcesses(mark: RunMark): ProcessView[] {
  const out: ProcessView[] = [];
  let entries: Iterable<Deno.DirEntry>;
  try {
    entries = Deno.readDirSync("/proc");
  } catch {
    return out;
  }
  const decoder = new TextDecoder();
  for (const entry of entries) {
    if (!/^\d+$/.test(entry.name)) continue;
    const stat = readStat(entry.name);
    if (stat === null || stat.state === "Z") continue;
    let environ = "";
    try {
      environ = decoder.decode(Deno.readFileSync(`/proc/${entry.name}/environ`));
    } catch {
      // Another user's process, or one that exited meanwhile: not ours to judge.
      continue;
    }
    out.push({ pid: Number(entry.name), ...stat, marked: carriesMark(environ, mark) });
  }
  return out;
}

function readStat(pid: string): { state: string; pgid: number; sid: number } | null {
  try {
    const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
    // Fields after the command name, which may itself hold ") ": state ppid pgrp session ...
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return { state: fields[0] ?? "", pgid: Number(fields[2]), sid: Number(fields[3]) };
  } catch {
    return null;
  }
}

function tryKill(pid: number): void {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0; // A process that exited meanwhile is the usual case, not an error.
  try {
    Deno.kill(pid, "SIGKILL");
  } catch {
    // Gone already, or not ours.
  } finally {
    Error.stackTraceLimit = limit;
  }
}
