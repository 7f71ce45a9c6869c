import { deepStrictEqual, equal, ok } from "node:assert/strict";
import { join } from "node:path";
import { carriesMark, killRunProcesses, orphanPids, runEnv, type RunMark } from "./orphans.ts";
import { isProcessAlive, runCommand } from "./run_command.ts";
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

Deno.test("orphanPids takes the marked processes and their sessions, never our own session, pid 1 or session 1", () => {
  const procs = [
    { pid: 1, sid: 1, marked: false },
    { pid: 10, sid: 10, marked: true }, // the job's shell, leader of its session
    { pid: 11, sid: 10, marked: false }, // a child that emptied its environment
    { pid: 12, sid: 12, marked: true }, // a child that left for a session of its own
    { pid: 20, sid: 5, marked: false }, // our session
    { pid: 21, sid: 5, marked: true }, // marked yet in our session: itself only
    { pid: 30, sid: 1, marked: true }, // marked in session 1: itself only
    { pid: 31, sid: 1, marked: false },
    { pid: 40, sid: 40, marked: false }, // unrelated
  ];
  deepStrictEqual(orphanPids(procs, { pid: 5, sid: 5 }), [10, 11, 12, 21, 30]);
  // From inside session 10, session 5 is just another marked process's session.
  deepStrictEqual(orphanPids(procs, { pid: 10, sid: 10 }), [12, 20, 21, 30]);
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
