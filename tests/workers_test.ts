/**
 * End-to-end tests of worker processes running jobs: parallelism, exactly-once under contention,
 * and a graceful stop that lets the running job finish. Detached mode, forced stops and crash
 * recovery are in `supervisor_test.ts`.
 *
 * @module
 */
import { deepStrictEqual, equal, match, notEqual, ok } from "node:assert/strict";
import { join } from "node:path";
import { cliOk, type TempDb, tempDb, waitFor, waitForJob, workersFor } from "./helpers.ts";
import { type Json, ms, sh, workerList } from "./worker_cli.ts";

async function enqueueMany(db: TempDb, specs: Json[]): Promise<void> {
  const file = join(db.dir, `jobs-${crypto.randomUUID()}.ndjson`);
  await Deno.writeTextFile(file, specs.map((s) => JSON.stringify(s)).join("\n") + "\n");
  equal((await cliOk(db, ["enqueue", "--file", file])).trim(), `enqueued ${specs.length} jobs`);
}

async function counts(db: TempDb): Promise<Json> {
  return JSON.parse(await cliOk(db, ["status", "--json"])).counts;
}

async function allJobs(db: TempDb): Promise<Json[]> {
  return JSON.parse(await cliOk(db, ["list", "--limit", "1000", "--json"]));
}

Deno.test("two workers run two jobs at the same time", async () => {
  await using db = await tempDb();
  await using _workers = workersFor(db, 2, { args: ["--processes", "2"] });
  await waitFor(async () => (await workerList(db)).length === 2, {
    intervalMs: 100,
    what: "2 registered workers",
  });
  await enqueueMany(db, [{ id: "a", command: "sleep 1" }, { id: "b", command: "sleep 1" }]);

  const a = await waitForJob(db, "a", (j) => j.state === "completed");
  const b = await waitForJob(db, "b", (j) => j.state === "completed");
  const [ra, rb] = [a.history[0]!, b.history[0]!];
  ok(
    ms(ra.started_at) < ms(rb.finished_at) && ms(rb.started_at) < ms(ra.finished_at),
    `attempts overlap: ${JSON.stringify([ra, rb])}`,
  );
  notEqual(a.worker, b.worker);
});

Deno.test("4 workers run each of 500 jobs exactly once and lose none", async () => {
  await using db = await tempDb();
  const out = join(db.dir, "ran");
  const n = 500;
  await enqueueMany(
    db,
    Array.from({ length: n }, () => ({ command: `echo "$QUEUECTL_JOB_ID" >> ${sh(out)}` })),
  );
  await using _workers = workersFor(db, 4);

  await waitFor(async () => (await counts(db)).completed === n, {
    timeoutMs: 60_000,
    intervalMs: 250,
    what: `${n} completed jobs`,
  });
  const c = await counts(db);
  deepStrictEqual(
    Object.entries(c).filter(([state, k]) => state !== "completed" && k !== 0),
    [],
    "no job is in any other state",
  );
  const lines = (await Deno.readTextFile(out)).trim().split("\n");
  equal(lines.length, n);
  const ran = new Set(lines);
  equal(ran.size, n);
  const jobs = await allJobs(db);
  equal(jobs.length, n);
  deepStrictEqual(new Set(jobs.map((j) => j.id)), ran);
  const odd = jobs.filter((j) => j.state !== "completed" || j.attempts !== 1 || j.runs !== 1);
  deepStrictEqual(odd, []);
});

Deno.test("a graceful stop lets the running job finish, leaves the rest pending, and a restart completes them", async () => {
  await using db = await tempDb();
  const n = 20;
  await enqueueMany(
    db,
    Array.from({ length: n }, (_, i) => ({
      id: `s${String(i).padStart(2, "0")}`,
      command: "sleep 0.2",
    })),
  );
  {
    await using workers = workersFor(db, 1);
    await waitFor(async () => (await counts(db)).completed >= 3, {
      intervalMs: 50,
      what: "3 completed jobs",
    });
    equal(await workers.stop("SIGTERM"), 0, workers.log());
    match(workers.log(), /supervisor\.stopped/);
  }
  const c = await counts(db);
  equal(c.processing, 0);
  equal(c.completed! + c.pending!, n, JSON.stringify(c));
  ok(c.pending! > 0, `jobs are left for the restart: ${JSON.stringify(c)}`);
  for (const job of await allJobs(db)) {
    // Every job that started, the one running when the stop came included, finished normally.
    const want = job.runs === 0 ? ["pending", 0, null] : ["completed", 1, 0];
    deepStrictEqual([job.state, job.attempts, job.exit_code], want, JSON.stringify(job));
  }
  deepStrictEqual(await workerList(db), [], "stopped workers deregister");

  await using _again = workersFor(db, 1);
  await waitFor(async () => (await counts(db)).completed === n, {
    intervalMs: 100,
    what: `${n} completed jobs`,
  });
  const again = await allJobs(db);
  deepStrictEqual(again.filter((j) => j.state !== "completed" || j.runs !== 1), []);
});
