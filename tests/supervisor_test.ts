/**
 * End-to-end tests of the worker supervisor's stops and crashes: detached mode, forced stops
 * (`--force` and a second SIGTERM), and recovery when a worker or the supervisor is killed.
 *
 * @module
 */
import { deepStrictEqual, equal, match, notEqual, ok } from "node:assert/strict";
import { join } from "node:path";
import {
  cli,
  cliArgv,
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
import { ms, sh, workerList } from "./worker_cli.ts";

async function enqueue(db: TempDb, args: string[]): Promise<string> {
  return (await cliOk(db, ["enqueue", ...args])).trim();
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

Deno.test("worker start --detach returns while its workers run, worker list shows them, and worker stop stops them", async () => {
  await using db = await tempDb();
  let supervisor = 0;
  try {
    const started = Date.now();
    const r = await cli(db, ["worker", "start", "--detach", "--count", "2", "--processes", "2"]);
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
  await using workers = workersFor(db, 2, { args: ["--processes", "2"] });
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
  const workers = startWorkers(db, 2, { args: ["--processes", "2"] });
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

Deno.test("a worker whose supervisor was killed while it was still starting stops at its first heartbeat instead of living on under init", async () => {
  await using db = await tempDb();
  await cliOk(db, ["config", "set", "heartbeat_ms", "200"]);
  // The supervisor that started it is already gone (a process that ran and exited), so the
  // worker's parent, here the test, is not it: as when init adopted it before it could look.
  const gone = new Deno.Command("true").spawn();
  await gone.status;
  const worker = new Deno.Command(Deno.execPath(), {
    args: [...cliArgv(), "worker", "run"],
    env: { ...db.env, QUEUECTL_SUPERVISOR: String(gone.pid) },
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }).spawn();
  try {
    const status = await exitWithin(worker, 20_000);
    equal(status.code, 0);
    const log = new TextDecoder().decode(await new Response(worker.stderr).arrayBuffer());
    match(log, /worker\.stop_requested/);
    match(log, /worker\.stopped/);
    deepStrictEqual(await workerList(db), []);
  } finally {
    if (processAlive(worker.pid)) worker.kill("SIGKILL");
  }
});
