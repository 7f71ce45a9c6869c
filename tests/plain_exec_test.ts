/**
 * A worker runs a job of plain words without `sh -c` (config `plain_exec`, on by default): the
 * job's program is the worker's own child, it carries the run marks, and when its worker is
 * killed -9 the recovery still finds and kills it by those marks.
 *
 * @module
 */
import { deepStrictEqual, equal, match, ok } from "node:assert/strict";
import { join } from "node:path";
import { assertOneLineError, cli, cliOk, tempDb, waitForJob, workersFor } from "./helpers.ts";

/** A script whose parent is the worker when run directly, a shell when run by `sh -c`. */
const PROBE = `#!/bin/sh
side="$1"
echo "S $QUEUECTL_RUN $(cat /proc/$PPID/comm)" >> "$side"
[ "$QUEUECTL_RUN" = 1 ] && [ "$2" = kill ] && kill -9 $PPID
sleep 2
echo "E $QUEUECTL_RUN" >> "$side"
`;

async function probe(dir: string): Promise<string> {
  const path = join(dir, "probe");
  await Deno.writeTextFile(path, PROBE);
  await Deno.chmod(path, 0o755);
  return path;
}

Deno.test({
  name:
    "a plain job runs without a shell, and when it kills its worker -9 the recovery kills it by its marks before the retry",
  sanitizeOps: false,
  sanitizeResources: false,
  fn: async () => {
    await using db = await tempDb();
    const side = join(db.dir, "side.log");
    await cliOk(db, ["config", "set", "backoff_base", "1"]);
    // Its parent is the worker itself: killing the parent kills the worker, not a shell.
    const command = `${await probe(db.dir)} ${side} kill`;
    await cliOk(db, ["enqueue", "--id", "j", "--max-retries", "2", "--command", command]);
    await using workers = workersFor(db, 1);
    const job = await waitForJob(db, "j", (j) => j.state === "completed", { timeoutMs: 30_000 });
    const lines = (await Deno.readTextFile(side)).trim().split("\n");
    // "E 1" would be there had the first run outlived its worker: it was found by its marks.
    equal(lines.length, 3, lines.join(" | "));
    match(lines[0]!, /^S 1 /);
    ok(!/ (sh|dash)$/.test(lines[0]!), `the first run's parent was ${lines[0]}`);
    deepStrictEqual(lines.slice(2), ["E 2"]);
    deepStrictEqual(job.history.map((a) => a.outcome), ["worker_lost", "succeeded"]);
    const lost = job.history[0]!;
    ok(lost.orphans_killed >= 1, `orphans_killed is ${lost.orphans_killed}`);
    ok(workers.log().includes("worker.crashed"));
  },
});

Deno.test({
  name: "with config plain_exec false a plain job runs under sh -c again",
  sanitizeOps: false,
  sanitizeResources: false,
  fn: async () => {
    await using db = await tempDb();
    const side = join(db.dir, "side.log");
    await cliOk(db, ["config", "set", "plain_exec", "false"]);
    await cliOk(db, ["enqueue", "--id", "j", "--command", `${await probe(db.dir)} ${side}`]);
    await using _workers = workersFor(db, 1);
    await waitForJob(db, "j", (j) => j.state === "completed", { timeoutMs: 30_000 });
    const lines = (await Deno.readTextFile(side)).trim().split("\n");
    deepStrictEqual(lines, ["S 1 sh", "E 1"]);
  },
});

Deno.test("config set plain_exec takes true or false; anything else is one line, exit 2, nothing set", async () => {
  await using db = await tempDb();
  await cliOk(db, ["config", "set", "plain_exec", "false"]);
  assertOneLineError(
    await cli(db, ["config", "set", "plain_exec", "off"]),
    2,
    /plain_exec must be true or false, got "off"/,
  );
  const shown = JSON.parse(await cliOk(db, ["config", "show", "--json"]));
  equal(shown.plain_exec, false);
});
