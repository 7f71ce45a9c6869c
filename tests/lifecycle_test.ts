/**
 * End-to-end tests of a job's lifecycle through the real CLI and real worker processes: success,
 * retries with backoff, the DLQ, invalid commands, runtime configuration, priority and delays.
 *
 * @module
 */
import { deepStrictEqual, equal, match, ok } from "node:assert/strict";
import { join } from "node:path";
import { DEFAULT_CONFIG } from "../src/config.ts";
import {
  cli,
  cliOk,
  showJob,
  type TempDb,
  tempDb,
  waitFor,
  waitForJob,
  workersFor,
} from "./helpers.ts";
import { workerList } from "./worker_cli.ts";

async function enqueue(db: TempDb, args: string[]): Promise<string> {
  return (await cliOk(db, ["enqueue", ...args])).trim();
}

/** Waits until `n` workers have registered (so they are idle and polling). */
async function workersReady(db: TempDb, n: number): Promise<void> {
  await waitFor(async () => (await workerList(db)).length >= n, {
    intervalMs: 100,
    what: `${n} registered worker(s)`,
  });
}

const ms = (iso: string) => Date.parse(iso);
const sh = (path: string) => `'${path.replaceAll("'", "'\\''")}'`;

Deno.test("a job that succeeds is completed after 1 attempt, and logs prints its stdout and stderr", async () => {
  await using db = await tempDb();
  const id = await enqueue(db, ["--command", "echo hello; echo oops >&2"]);
  await using _workers = workersFor(db, 1);

  const job = await waitForJob(db, id, (j) => j.state === "completed");
  equal(job.exit_code, 0);
  equal(job.attempts, 1);
  equal(job.last_error, null);
  equal(job.history.length, 1);
  equal(job.history[0]!.outcome, "succeeded");
  equal(job.history[0]!.worker, job.worker);

  const out = await cli(db, ["logs", id]);
  deepStrictEqual([out.code, out.stdout, out.stderr], [0, "hello\n", ""]);
  const err = await cli(db, ["logs", id, "--stderr"]);
  deepStrictEqual([err.code, err.stdout, err.stderr], [0, "oops\n", ""]);
});

Deno.test("a failing job is retried after backoff_base^k seconds and ends dead after 1 + max_retries attempts", async () => {
  await using db = await tempDb();
  const base = 1.5;
  await cliOk(db, ["config", "set", "backoff_base", String(base)]);
  const id = await enqueue(db, [
    "--command",
    'echo "attempt $QUEUECTL_ATTEMPT" >&2; exit 3',
    "--max-retries",
    "2",
  ]);
  await using _workers = workersFor(db, 1);

  const job = await waitForJob(db, id, (j) => j.state === "dead", { timeoutMs: 30_000 });
  equal(job.attempts, 3);
  equal(job.exit_code, 3);
  match(job.last_error, /exit code 3/);
  deepStrictEqual(
    job.history.map((a) => [a.n, a.outcome, a.exit_code]),
    [[1, "failed", 3], [2, "failed", 3], [3, "failed", 3]],
  );
  for (let k = 1; k < job.history.length; k++) {
    const gap = ms(job.history[k]!.started_at) - ms(job.history[k - 1]!.finished_at);
    const want = base ** k * 1000;
    ok(gap >= want - 5, `retry ${k} started ${gap} ms after attempt ${k} ended; want >= ${want}`);
    ok(gap < want + 1500, `retry ${k} started ${gap} ms after attempt ${k} ended; want ~${want}`);
  }
  // Each attempt's output is kept apart.
  const second = await cli(db, ["logs", id, "--stderr", "--attempt", "2"]);
  deepStrictEqual([second.code, second.stdout], [0, "attempt 2\n"]);
});

Deno.test("dlq list shows dead jobs, and dlq retry / retry --all requeue them for fresh attempts that keep the history", async () => {
  await using db = await tempDb();
  const marker = join(db.dir, "ok");
  const command = `test -f ${sh(marker)}`;
  const id = await enqueue(db, ["--command", command, "--max-retries", "0"]);
  const others = [];
  for (let i = 0; i < 3; i++) {
    others.push(await enqueue(db, ["--command", command, "--max-retries", "0"]));
  }
  {
    await using _workers = workersFor(db, 1);
    for (const j of [id, ...others]) await waitForJob(db, j, (x) => x.state === "dead");
  }

  const dead = JSON.parse(await cliOk(db, ["dlq", "list", "--json"]));
  deepStrictEqual(dead.map((j: { id: string }) => j.id).sort(), [id, ...others].sort());
  ok(
    dead.every((j: { state: string; attempts: number }) => j.state === "dead" && j.attempts === 1),
  );

  // The command now succeeds.
  await Deno.writeTextFile(marker, "");
  equal((await cliOk(db, ["dlq", "retry", id])).trim(), `${id} requeued`);
  const requeued = await showJob(db, id);
  deepStrictEqual([requeued.state, requeued.attempts], ["pending", 0]);
  equal((await cliOk(db, ["dlq", "retry", "--all"])).trim(), "requeued 3 job(s)");
  deepStrictEqual(JSON.parse(await cliOk(db, ["dlq", "list", "--json"])), []);
  const counts = JSON.parse(await cliOk(db, ["status", "--json"])).counts;
  deepStrictEqual([counts.pending, counts.dead], [4, 0]);
  // Retrying a job that is not dead is refused.
  equal((await cli(db, ["dlq", "retry", id])).code, 1);

  await using _workers = workersFor(db, 1);
  for (const j of [id, ...others]) {
    const job = await waitForJob(db, j, (x) => x.state === "completed");
    equal(job.attempts, 1);
    equal(job.exit_code, 0);
    deepStrictEqual(job.history.map((a) => [a.n, a.outcome]), [[1, "failed"], [2, "succeeded"]]);
  }
  equal(JSON.parse(await cliOk(db, ["status", "--json"])).counts.completed, 4);
});

Deno.test("an unknown command goes dead with exit code 127 and the worker goes on to run the next job", async () => {
  await using db = await tempDb();
  const bad = await enqueue(db, ["--command", "no_such_cmd_xyz", "--max-retries", "0"]);
  const good = await enqueue(db, ["--command", "echo still working"]);
  await using workers = workersFor(db, 1);

  const job = await waitForJob(db, bad, (j) => j.state === "dead");
  equal(job.exit_code, 127);
  equal(job.attempts, 1);
  match(job.last_error, /127/);
  equal(job.history[0]!.outcome, "failed");
  const err = await cliOk(db, ["logs", bad, "--stderr"]);
  match(err, /no_such_cmd_xyz/);

  const next = await waitForJob(db, good, (j) => j.state === "completed");
  equal(next.worker, job.worker, "the same worker ran both jobs");
  ok(!workers.log().includes("worker.crashed"), workers.log());
});

Deno.test("config set changes what a running worker does, and config reset restores the defaults", async () => {
  await using db = await tempDb();
  await using _workers = workersFor(db, 1);
  await workersReady(db, 1);

  // max_retries is taken when a job is enqueued without its own.
  equal((await cliOk(db, ["config", "set", "max_retries", "0"])).trim(), "max_retries = 0");
  equal((await cliOk(db, ["config", "get", "max-retries"])).trim(), "0");
  const once = await enqueue(db, ["--command", "exit 1"]);
  const dead = await waitForJob(db, once, (j) => j.state === "dead");
  deepStrictEqual([dead.max_retries, dead.attempts, dead.history.length], [0, 1, 1]);

  // job_timeout is applied by the worker when it runs the job. The job becomes due 2 s after
  // the change, and a worker reloads its configuration at least once a second, so the worker
  // that runs it must already know the new value.
  await cliOk(db, ["config", "set", "job_timeout", "300ms"]);
  const slow = await enqueue(db, ["--command", "sleep 10", "--delay", "2s", "--max-retries", "0"]);
  const timedOut = await waitForJob(db, slow, (j) => j.state === "dead");
  equal(timedOut.history[0]!.outcome, "timed_out");
  match(timedOut.last_error, /timed out after 300ms/);
  ok(timedOut.history[0]!.duration_ms < 5000, JSON.stringify(timedOut.history));

  equal((await cliOk(db, ["config", "reset"])).trim(), "configuration reset to defaults");
  deepStrictEqual(JSON.parse(await cliOk(db, ["config", "show", "--json"])), DEFAULT_CONFIG);
  const retried = await enqueue(db, ["--command", "exit 1"]);
  const failed = await waitForJob(db, retried, (j) => j.state === "failed");
  equal(failed.max_retries, DEFAULT_CONFIG.max_retries);
  equal(failed.attempts, 1);
  const wait = ms(failed.run_at) - ms(failed.finished_at);
  equal(wait, DEFAULT_CONFIG.backoff_base * 1000, "the retry waits the default backoff");
});

Deno.test("a higher-priority job starts first and equal priorities start in FIFO order", async () => {
  await using db = await tempDb();
  const order = join(db.dir, "order");
  const ids: Record<string, string> = {};
  // Enqueue order; priority 0 is the default.
  const specs = [["first", 0], ["high", 10], ["second", 0], ["low", -5], ["third", 0]] as const;
  for (const [name, priority] of specs) {
    ids[name] = await enqueue(db, [
      "--command",
      `echo ${name} >> ${sh(order)}`,
      "--priority",
      String(priority),
    ]);
  }
  await using _workers = workersFor(db, 1);

  const jobs = [];
  for (const name of ["high", "first", "second", "third", "low"]) {
    jobs.push(await waitForJob(db, ids[name]!, (j) => j.state === "completed"));
  }
  deepStrictEqual(
    (await Deno.readTextFile(order)).trim().split("\n"),
    ["high", "first", "second", "third", "low"],
  );
  for (let i = 1; i < jobs.length; i++) {
    ok(ms(jobs[i - 1]!.started_at) <= ms(jobs[i]!.started_at), JSON.stringify(jobs));
  }
  ok(ms(jobs[0]!.started_at) < ms(jobs[1]!.started_at), "the high-priority job starts first");
});

Deno.test("a delayed job stays scheduled until its run_at and does not start before it", async () => {
  await using db = await tempDb();
  await using _workers = workersFor(db, 1);
  await workersReady(db, 1);

  const before = Date.now();
  const created = JSON.parse(
    await cliOk(db, ["enqueue", "--command", "echo later", "--delay", "2s", "--json"]),
  );
  equal(created.state, "scheduled");
  const runAt = ms(created.run_at);
  ok(runAt >= before + 2000, `run_at ${created.run_at} is 2 s after enqueue`);

  const seen = await showJob(db, created.id);
  const seenBy = Date.now();
  ok(seen.state === "scheduled" || seenBy >= runAt, `state ${seen.state} before run_at`);
  const status = JSON.parse(await cliOk(db, ["status", "--json"]));
  ok(status.counts.scheduled === 1 || Date.now() >= runAt, JSON.stringify(status.counts));

  const job = await waitForJob(db, created.id, (j) => j.state === "completed");
  const started = ms(job.started_at);
  ok(started >= runAt, `started at ${job.started_at}, before run_at ${created.run_at}`);
  ok(started < runAt + 1500, `started at ${job.started_at}, long after run_at ${created.run_at}`);
  equal(job.attempts, 1);
});
