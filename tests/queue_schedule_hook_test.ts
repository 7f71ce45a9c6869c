/**
 * The features of issue #16 together: a schedule's ticks run in its queue, a worker serving only
 * that queue runs them, and the finish hook is told the queue.
 */
import { equal, ok } from "node:assert/strict";
import { join } from "node:path";
import { cliOk, showJob, startWorkers, tempDb, waitFor } from "./helpers.ts";

Deno.test({
  name:
    "a schedule with --queue enqueues each tick in that queue, a worker serving only it runs them, and on_finish sees {queue}",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    await using db = await tempDb();
    const out = join(db.dir, "hooks.txt");
    await cliOk(db, ["config", "set", "on_finish", `echo {id} {queue} {state} >> ${out}`]);
    await cliOk(db, [
      "schedule",
      "add",
      "beat",
      "--every",
      "1s",
      "--queue",
      "ops",
      "--command",
      "true",
    ]);
    // The queue exists before its first tick, so a worker serving every queue would see it too.
    const queues = JSON.parse(await cliOk(db, ["queue", "list", "--json"]));
    ok(queues.some((q: { name: string }) => q.name === "ops"), JSON.stringify(queues));
    const workers = startWorkers(db, 1, { args: ["--queues", "ops"] });
    let first = "";
    try {
      first = await waitFor(async () => {
        const text = await Deno.readTextFile(out).catch(() => "");
        return text.split("\n").find((l) => l.startsWith("beat:")) ?? null;
      }, { what: "a tick's hook line", timeoutMs: 15_000 });
    } finally {
      equal(await workers.stop(), 0);
    }
    const [id, queue, state] = first.split(" ");
    equal([queue, state].join(" "), "ops completed");
    equal((await showJob(db, id!)).queue, "ops");
  },
});

Deno.test({
  name:
    "a cron schedule fires through a real worker, which loads the cron parser only when it meets one",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    await using db = await tempDb();
    await cliOk(db, ["schedule", "add", "sec", "--cron", "* * * * * *", "--command", "true"]);
    const workers = startWorkers(db, 1);
    try {
      await waitFor(async () => {
        const lines = (await cliOk(db, ["list", "--all", "--json"])).trim().split("\n");
        return lines.filter((l) => l !== "").map((l) => JSON.parse(l)).some((
          j: { id: string; state: string },
        ) => j.id.startsWith("sec:") && j.state === "completed");
      }, { what: "a completed tick of the cron schedule", timeoutMs: 15_000 });
    } finally {
      equal(await workers.stop(), 0);
    }
  },
});
