/**
 * A worker killed with -9 at the very start of a job, before it could publish the job's process
 * group: the run it leaves behind must be killed before its retry starts, never run beside it,
 * and the history must say so.
 *
 * @module
 */
import { deepStrictEqual, equal, match, ok } from "node:assert/strict";
import { join } from "node:path";
import { cliOk, tempDb, waitForJob, workersFor } from "./helpers.ts";

Deno.test({
  name:
    "a worker killed -9 a millisecond into a job leaves no orphan beside the retry: the first run is killed before the second starts, and the history records it",
  sanitizeOps: false,
  sanitizeResources: false,
  fn: async () => {
    await using db = await tempDb();
    const side = join(db.dir, "side.log");
    await cliOk(db, ["config", "set", "backoff_base", "1"]);
    // The first run kills its own worker (the shell's parent) at once: no timing can be earlier.
    const command = `echo "S $QUEUECTL_RUN" >> ${side}; ` +
      `[ "$QUEUECTL_RUN" = 1 ] && kill -9 $PPID; sleep 2; echo "E $QUEUECTL_RUN" >> ${side}`;
    await cliOk(db, ["enqueue", "--id", "j", "--max-retries", "2", "--command", command]);
    await using workers = workersFor(db, 1);
    const job = await waitForJob(db, "j", (j) => j.state === "completed", { timeoutMs: 30_000 });
    // Had the first run survived, its "E 1" would have landed by now (it sleeps as long as the
    // second, which started after it).
    deepStrictEqual((await Deno.readTextFile(side)).trim().split("\n"), ["S 1", "S 2", "E 2"]);
    deepStrictEqual(job.history.map((a) => a.outcome), ["worker_lost", "succeeded"]);
    const lost = job.history[0]!;
    ok(lost.orphans_killed >= 1, `orphans_killed is ${lost.orphans_killed}`);
    match(lost.error, /^worker lost: its process exited; killed \d+ leftover process/);
    ok(workers.log().includes("worker.crashed"));
    equal(job.attempts, 2);
  },
});
