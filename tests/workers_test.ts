/**
 * End-to-end tests of the worker processes and their supervisor: parallelism, exactly-once
 * under contention, graceful and forced stops, detached mode, and crash recovery.
 *
 * @module
 */
import { deepStrictEqual, equal, match, notEqual, ok } from "node:assert/strict";
import { join } from "node:path";
import {
  cli,
  cliOk,
  processAlive,
  processGroupAlive,
  showJob,
  startWorkers,
  type TempDb,
  tempDb,
  waitFor,
  waitForJob,
  workersFor,
} from "./helpers.ts";

// deno-lint-ignore no-explicit-any
type Json = Record<string, any>;

async function enqueue(db: TempDb, args: string[]): Promise<string> {
  return (await cliOk(db, ["enqueue", ...args])).trim();
}

async function enqueueMany(db: TempDb, specs: Json[]): Promise<void> {
  const file = join(db.dir, `jobs-${crypto.randomUUID()}.ndjson`);
  await Deno.writeTextFile(file, specs.map((s) => JSON.stringify(s)).join("\n") + "\n");
  equal((await cliOk(db, ["enqueue", "--file", file])).trim(), `enqueued ${specs.length} jobs`);
}

async function counts(db: TempDb): Promise<Json> {
  return JSON.parse(await cliOk(db, ["status", "--json"])).counts;
}

async function workerList(db: TempDb): Promise<Json[]> {
  return JSON.parse(await cliOk(db, ["worker", "list", "--json"]));
}

async function allJobs(db: TempDb): Promise<Json[]> {
  return JSON.parse(await cliOk(db, ["list", "--limit", "1000", "--json"]));
}

/** The process exit status, or a failure when it takes longer than `ms`. */
async function exitWithin(process: Deno.ChildProcess, ms: number): Promise<Deno.CommandStatus> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`process did not exit within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([process.status, late]);
  } finally {
    clearTimeout(timer);
  }
}

const ms = (iso: string) => Date.parse(iso);
const sh = (path: string) => `'${path.replaceAll("'", "'\\''")}'`;

/** A job that records its process group in `pgidFile` and sleeps, but succeeds on a later run. */
function sleepOnce(db: TempDb, seconds: number): { command: string; pgidFile: string } {
  const marker = join(db.dir, `ran-${crypto.randomUUID()}`);
  const pgidFile = join(db.dir, `pgid-${crypto.randomUUID()}`);
  return {
    pgidFile,
    command: `if [ -f ${sh(marker)} ]; then echo second run; exit 0; fi; touch ${
      sh(marker)
    }; echo $$ > ${sh(pgidFile)}; sleep ${seconds}; echo woke`,
  };
}

async function pgidOf(file: string): Promise<number> {
  return await waitFor(async () => {
    const text = await Deno.readTextFile(file).catch(() => "");
    return text.endsWith("\n") ? Number(text.trim()) : 0;
  }, { what: `the job's pid in ${file}` });
}

Deno.test("two workers run two jobs at the same time", async () => {
  await using db = await tempDb();
  await using _workers = workersFor(db, 2);
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

Deno.test("worker start --detach returns while its workers run, worker list shows them, and worker stop stops them", async () => {
  await using db = await tempDb();
  let supervisor = 0;
  try {
    const started = Date.now();
    const r = await cli(db, ["worker", "start", "--detach", "--count", "2"]);
    equal(r.code, 0, r.stderr);
    ok(Date.now() - started < 10_000, "it returns without waiting for the workers to end");
    supervisor = Number(/supervisor pid (\d+)/.exec(r.stdout)?.[1]);
    ok(supervisor > 0, r.stdout);
    ok(processAlive(supervisor), "the supervisor runs on after the command returned");

    const workers = await workerList(db);
    equal(workers.length, 2);
    for (const w of workers) {
      equal(typeof w.id, "string");
      ok(Number.isInteger(w.pid) && w.pid > 0, JSON.stringify(w));
      ok(processAlive(w.pid), JSON.stringify(w));
      equal(typeof w.host, "string");
      ok(["idle", "busy"].includes(w.state), JSON.stringify(w));
      ok(Math.abs(Date.now() - ms(w.heartbeat_at)) < 10_000, JSON.stringify(w));
      ok("job" in w, JSON.stringify(w));
    }
    notEqual(workers[0]!.pid, workers[1]!.pid);

    const id = await enqueue(db, ["--command", "echo detached"]);
    await waitForJob(db, id, (j) => j.state === "completed");

    equal((await cliOk(db, ["worker", "stop"])).trim(), "stopped 2 worker(s)");
    deepStrictEqual(await workerList(db), []);
    await waitFor(() => !processAlive(supervisor), { what: "the detached supervisor to exit" });
    for (const w of workers) ok(!processAlive(w.pid), `worker ${w.pid} exited`);
    match(await Deno.readTextFile(`${db.path}.log`), /supervisor\.stopped/);
  } finally {
    if (supervisor > 0 && processAlive(supervisor)) {
      await cli(db, ["worker", "stop", "--force"]);
      if (processAlive(supervisor)) Deno.kill(supervisor, "SIGKILL");
    }
  }
});

Deno.test("worker stop --force kills the running job's process group and puts the job back as pending without charging the attempt", async () => {
  await using db = await tempDb();
  const { command, pgidFile } = sleepOnce(db, 30);
  const id = await enqueue(db, ["--command", command]);
  {
    await using workers = workersFor(db, 1);
    await waitForJob(db, id, (j) => j.state === "processing");
    const pgid = await pgidOf(pgidFile);
    ok(processGroupAlive(pgid));

    const stopped = Date.now();
    equal((await cliOk(db, ["worker", "stop", "--force"])).trim(), "stopped 1 worker(s)");
    const status = await exitWithin(workers.process, 10_000);
    equal(status.code, 0, workers.log());
    ok(Date.now() - stopped < 10_000, "the 30 s job did not hold up the forced stop");
    ok(!processGroupAlive(pgid), "the job's processes are gone");
  }
  const job = await showJob(db, id);
  deepStrictEqual([job.state, job.attempts, job.runs], ["pending", 0, 1]);
  deepStrictEqual(job.history.map((a) => a.outcome), ["interrupted"]);
  deepStrictEqual(await workerList(db), []);

  // It runs again when workers come back, and its attempt count starts from 1.
  await using _again = workersFor(db, 1);
  const done = await waitForJob(db, id, (j) => j.state === "completed");
  deepStrictEqual([done.attempts, done.runs], [1, 2]);
  deepStrictEqual(done.history.map((a) => a.outcome), ["interrupted", "succeeded"]);
});

Deno.test("a second SIGTERM to the supervisor forces the stop: the job goes back to pending uncharged and its processes are killed", async () => {
  await using db = await tempDb();
  const { command, pgidFile } = sleepOnce(db, 30);
  const id = await enqueue(db, ["--command", command]);
  await using workers = workersFor(db, 1);
  await waitForJob(db, id, (j) => j.state === "processing");
  const pgid = await pgidOf(pgidFile);

  workers.process.kill("SIGTERM");
  // The worker has taken the first (graceful) stop before the second signal is sent.
  await waitFor(() => workers.log().includes("worker.stopping"), {
    what: "the worker to begin a graceful stop",
  });
  equal((await showJob(db, id)).state, "processing", "a graceful stop lets the job run on");
  const [stopping] = await workerList(db);
  deepStrictEqual([stopping?.state, stopping?.job], ["stopping", id]);
  workers.process.kill("SIGTERM");
  const status = await exitWithin(workers.process, 10_000);
  equal(status.code, 0, workers.log());
  ok(!processGroupAlive(pgid), "the job's processes are gone");

  const job = await showJob(db, id);
  deepStrictEqual([job.state, job.attempts], ["pending", 0]);
  deepStrictEqual(job.history.map((a) => a.outcome), ["interrupted"]);
  deepStrictEqual(await workerList(db), []);
});

Deno.test("a worker killed with SIGKILL mid-job is restarted by the supervisor and its job is recovered by a live worker", async () => {
  await using db = await tempDb();
  await cliOk(db, ["config", "set", "heartbeat_ms", "200"]);
  await cliOk(db, ["config", "set", "lease_ms", "2000"]);
  await cliOk(db, ["config", "set", "backoff_base", "1"]);
  const { command, pgidFile } = sleepOnce(db, 30);
  await using workers = workersFor(db, 2);
  await waitFor(async () => (await workerList(db)).length === 2, {
    intervalMs: 100,
    what: "2 registered workers",
  });
  const id = await enqueue(db, ["--command", command]);
  const running = await waitForJob(db, id, (j) => j.state === "processing");
  const pgid = await pgidOf(pgidFile);
  const victim = (await workerList(db)).find((w) => w.id === running.worker);
  ok(victim, `the worker running the job is registered: ${running.worker}`);
  // Orphans can be killed only once the worker has published the job's process group, which
  // any heartbeat after the spawn does. On a loaded machine the kill could otherwise come first.
  const spawnedBy = (await Deno.stat(pgidFile)).mtime!.getTime();
  await waitFor(async () => {
    const w = (await workerList(db)).find((w) => w.id === victim.id);
    return w !== undefined && Date.parse(w.heartbeat_at as string) >= spawnedBy;
  }, { intervalMs: 50, what: "a heartbeat that publishes the job's process group" });

  Deno.kill(victim.pid, "SIGKILL");

  await waitFor(
    () => new RegExp(`worker\\.crashed .*pid=${victim.pid}\\b.*signal=SIGKILL`).test(workers.log()),
    {
      what: "the supervisor to log the crash",
    },
  );
  const recovered = await waitForJob(db, id, (j) => j.state !== "processing", {
    what: "the job to be recovered",
  });
  ok(["failed", "pending", "completed"].includes(recovered.state), recovered.state);
  match(workers.log(), new RegExp(`job\\.recovered worker=(?!${victim.id}\\b)\\S+ job=${id}\\b`));
  await waitFor(() => !processGroupAlive(pgid), {
    what: "the orphaned job processes to be killed",
  });

  const done = await waitForJob(db, id, (j) => j.state === "completed");
  deepStrictEqual(done.history.map((a) => a.outcome), ["worker_lost", "succeeded"]);
  match(done.history[0]!.error, /worker lost/);
  notEqual(done.history[1]!.worker, victim.id, "a live worker ran the retry");

  // The supervisor replaced the killed worker: two live workers again.
  await waitFor(async () => {
    const live = (await workerList(db)).filter((w) => w.pid !== victim.pid && processAlive(w.pid));
    return live.length === 2;
  }, { intervalMs: 100, what: "the killed worker to be replaced" });
  match(workers.log(), /restart_in_ms=\d+/);
  equal(await workers.stop(), 0, workers.log());
});

Deno.test("workers whose supervisor was killed with SIGKILL stop on their own and deregister", async () => {
  await using db = await tempDb();
  const workers = startWorkers(db, 2);
  let pids: number[] = [];
  try {
    await waitFor(async () => (pids = (await workerList(db)).map((w) => w.pid)).length === 2, {
      intervalMs: 100,
      what: "2 registered workers",
    });
    workers.process.kill("SIGKILL");
    equal((await workers.process.status).signal, "SIGKILL");
    await waitFor(async () => (await workerList(db)).length === 0, {
      intervalMs: 100,
      what: "the orphaned workers to deregister",
    });
    await waitFor(() => pids.every((pid) => !processAlive(pid)), {
      what: "the orphaned workers to exit",
    });
    match(workers.log(), /worker\.stopped/);
  } finally {
    for (const pid of pids) if (processAlive(pid)) Deno.kill(pid, "SIGKILL");
    await workers.stop(); // Its stderr, which the workers shared, is read to the end.
  }
});
