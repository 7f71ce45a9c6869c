import { deepStrictEqual, equal, ok } from "node:assert/strict";
import { join } from "node:path";
import { carriesMark, killRunProcesses, orphanPids, runEnv, type RunMark } from "./orphans.ts";
import { isProcessAlive } from "./process_group.ts";
import { runCommand } from "./run_command.ts";
import { waitFor } from "../../tests/helpers.ts";

const MARK: RunMark = { worker: "h:42:ab", job: "build", run: 2 };

Deno.test("carriesMark needs every variable of the run, whole, anywhere in the block", () => {
  const env = (vars: Record<string, string>) =>
    Object.entries(vars).map(([k, v]) => `${k}=${v}\0`).join("");
  ok(carriesMark(env({ A: "1", ...runEnv(MARK), Z: "2" }), MARK));
  ok(!carriesMark(env({ ...runEnv(MARK), QUEUECTL_RUN: "3" }), MARK), "another run");
  ok(!carriesMark(env({ ...runEnv({ ...MARK, run: 22 }) }), MARK), "a longer run number");
  ok(!carriesMark(env({ ...runEnv({ ...MARK, job: "build2" }) }), MARK), "a longer job id");
  ok(!carriesMark(env({ QUEUECTL_JOB_ID: "build", QUEUECTL_RUN: "2" }), MARK), "no worker");
  ok(!carriesMark("", MARK));
});

Deno.test("orphanPids takes the marked processes, their sessions and the published group, never our own session or group, pid 1 or session 1", () => {
  const proc = (pid: number, sid: number, marked: boolean, pgid = pid) => ({
    pid,
    pgid,
    sid,
    marked,
  });
  const procs = [
    proc(1, 1, false),
    proc(10, 10, true), // the job's shell, leader of its session
    proc(11, 10, false), // a child that emptied its environment
    proc(12, 12, true), // a child that left for a session of its own
    proc(20, 5, false, 5), // our session and group
    proc(21, 5, true), // marked yet in our session: itself only
    proc(30, 1, true), // marked in session 1: itself only
    proc(31, 1, false),
    proc(40, 40, false), // unrelated
    proc(50, 50, false, 10), // unmarked, another session, in the published group
  ];
  const self = { pid: 5, pgid: 5, sid: 5 };
  deepStrictEqual(orphanPids(procs, self, null), [10, 11, 12, 21, 30]);
  deepStrictEqual(orphanPids(procs, self, 10), [10, 11, 12, 21, 30, 50]);
  deepStrictEqual(orphanPids(procs, self, 5), [10, 11, 12, 21, 30], "never our own group");
  // From inside session 10, session 5 is just another marked process's session.
  deepStrictEqual(orphanPids(procs, { pid: 10, pgid: 10, sid: 10 }, null), [12, 20, 21, 30]);
});

Deno.test({
  name:
    "killRunProcesses kills a run's shell, its background children and one that left the session, and leaves another run alone",
  sanitizeOps: false,
  sanitizeResources: false,
  fn: async () => {
    const dir = await Deno.makeTempDir({ prefix: "queuectl-orphans-" });
    try {
      const pids = join(dir, "pids");
      const other = { ...MARK, run: 3 };
      const body = `sleep 30 & echo $! >> ${pids}; setsid sleep 31 & echo $! >> ${pids}; ` +
        `echo $$ >> ${pids}; wait`;
      const target = runCommand(body, { env: runEnv(MARK) });
      const bystander = runCommand("sleep 30", { env: runEnv(other) });
      const started = await waitFor(async () => {
        const lines = (await Deno.readTextFile(pids).catch(() => "")).trim().split("\n");
        return lines.length === 3 ? lines.map(Number) : null;
      }, { what: "the job to start its children" });
      ok(started.every(isProcessAlive));

      const killed = await killRunProcesses(MARK);
      ok(killed >= 3, `killed ${killed}`);
      ok(started.every((pid) => !isProcessAlive(pid)), "a process of the run survived");
      equal((await target).signal, "SIGKILL");

      const spared = await Promise.race([
        bystander.then(() => "ended"),
        new Promise((r) => setTimeout(() => r("running"), 200)),
      ]);
      equal(spared, "running");
      ok(await killRunProcesses(other) >= 1);
      equal((await bystander).signal, "SIGKILL");
      equal(await killRunProcesses(MARK), 0, "nothing is left to kill");
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
