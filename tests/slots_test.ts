/**
 * End-to-end tests of slots: one worker process running several jobs at once (`worker start
 * --count N --processes P`), each job keeping its own cancel, timeout, stop and recovery.
 */
import { deepStrictEqual, equal, ok } from "node:assert/strict";
import { join } from "node:path";
import {
  cli,
  cliOk,
  enqueueId,
  processGroupAlive,
  showJob,
  startWorkers,
  type TempDb,
  tempDb,
  waitFor,
  waitForJob,
  type Workers,
} from "./helpers.ts";
import { type Json, ms, sh, workerList } from "./worker_cli.ts";

/** Writes its shell's pid (its process group) to `DIR/ID.RUN.pid`, then waits for `DIR/go`. */
function blocker(dir: string): string {
  const d = sh(dir);
  return `echo $$ > ${d}/$QUEUECTL_JOB_ID.$QUEUECTL_RUN.pid; while [ ! -e ${d}/go ]; do sleep 0.05; done`;
}

/** The process group a run wrote, once it has. */
async function pgidOf(dir: string, id: string, run = 1): Promise<number> {
  const path = join(dir, `${id}.${run}.pid`);
  return await waitFor(async () => {
    const text = await Deno.readTextFile(path).catch(() => "");
    return text.endsWith("\n") ? Number(text.trim()) : null;
  }, { what: `${id} run ${run} to start` });
}

/** Workers whose stop is forced at the end of the test scope, whatever happened. */
function slotWorkers(db: TempDb, count: number, processes: number): Workers & AsyncDisposable {
  const workers = startWorkers(db, count, { args: ["--processes", String(processes)] });
  return Object.assign(workers, {
    async [Symbol.asyncDispose]() {
      await workers.stop("SIGQUIT");
    },
  });
}

async function fastBeats(db: TempDb): Promise<void> {
  await cliOk(db, ["config", "set", "heartbeat_ms", "200"]);
}

/** The one worker process registered, once it runs `n` jobs. */
async function busyWith(db: TempDb, n: number): Promise<Json> {
  return await waitFor(async () => {
    const list = await workerList(db);
    return list.length === 1 && list[0]!.jobs.length === n ? list[0] : null;
  }, { what: `one worker process listing ${n} running jobs` });
}

Deno.test("one worker process with 3 slots runs 3 jobs at once: the registry lists all 3 and their attempts overlap", async () => {
  await using db = await tempDb();
  await fastBeats(db);
  const ids = ["s1", "s2", "s3"];
  for (const id of ids) await enqueueId(db, ["--id", id, "--command", blocker(db.dir)]);
  await using _workers = slotWorkers(db, 3, 1);
  for (const id of ids) await pgidOf(db.dir, id);
  const worker = await busyWith(db, 3);
  deepStrictEqual([worker.slots, worker.state, [...worker.jobs].sort()], [3, "busy", ids]);
  await Deno.writeTextFile(join(db.dir, "go"), "");
  const runs = [];
  for (const id of ids) {
    const job = await waitForJob(db, id, (j) => j.state === "completed");
    equal(job.history.length, 1);
    equal(job.history[0]!.worker, worker.id, "all three ran in the one process");
    runs.push(job.history[0]!);
  }
  const lastStart = Math.max(...runs.map((r) => ms(r.started_at)));
  const firstEnd = Math.min(...runs.map((r) => ms(r.finished_at)));
  ok(lastStart < firstEnd, "each attempt started before any of them finished");
});

Deno.test("kill -9 of a process running 8 jobs recovers all 8, kills their 8 process groups, and no retry overlaps its first run", async () => {
  await using db = await tempDb();
  await fastBeats(db);
  const d = sh(db.dir);
  // The first run writes its group and sleeps (a child in its group); the retry just succeeds.
  const command =
    `echo $$ > ${d}/$QUEUECTL_JOB_ID.$QUEUECTL_RUN.pid; if [ "$QUEUECTL_RUN" = 1 ]; then sleep 600; fi`;
  const ids = Array.from({ length: 8 }, (_, i) => `k${i + 1}`);
  for (const id of ids) await enqueueId(db, ["--id", id, "--command", command]);
  await using workers = slotWorkers(db, 8, 1);
  const groups = [];
  for (const id of ids) groups.push(await pgidOf(db.dir, id));
  const victim = await busyWith(db, 8);
  Deno.kill(victim.pid, "SIGKILL");
  await waitFor(() => /worker\.crashed .*signal=SIGKILL/.test(workers.log()), {
    what: "the supervisor to see the crash",
  });
  for (const id of ids) {
    const job = await waitForJob(db, id, (j) => j.state === "completed");
    equal(job.history.length, 2, `${id}: the lost run and its retry`);
    const [lost, retry] = [job.history[0]!, job.history[1]!];
    equal(lost.worker, victim.id);
    equal(lost.outcome, "worker_lost");
    ok(ms(lost.finished_at) <= ms(retry.started_at), `${id}: the retry began after the lost run`);
    equal(retry.outcome, "succeeded");
  }
  for (const pgid of groups) ok(!processGroupAlive(pgid), `process group ${pgid} is gone`);
});

Deno.test("cancel of one job in a 2-slot worker kills only that job, and its slot runs the next job while the other still runs", async () => {
  await using db = await tempDb();
  await fastBeats(db);
  await enqueueId(db, ["--id", "keep", "--command", blocker(db.dir)]);
  await enqueueId(db, ["--id", "drop", "--command", blocker(db.dir)]);
  await using _workers = slotWorkers(db, 2, 1);
  const keep = await pgidOf(db.dir, "keep");
  const drop = await pgidOf(db.dir, "drop");
  await busyWith(db, 2);
  await cliOk(db, ["cancel", "drop"]);
  await waitForJob(db, "drop", (j) => j.state === "canceled");
  await waitFor(() => !processGroupAlive(drop), { what: "the canceled job's processes to end" });
  ok(processGroupAlive(keep), "the other slot's job still runs");
  const next = await enqueueId(db, ["--command", "true"]);
  await waitForJob(db, next, (j) => j.state === "completed");
  equal((await showJob(db, "keep")).state, "processing", "it ran beside the job still running");
  await Deno.writeTextFile(join(db.dir, "go"), "");
  await waitForJob(db, "keep", (j) => j.state === "completed");
});

Deno.test("a timed-out job frees its slot: the next job runs while the other slot's job still runs", async () => {
  await using db = await tempDb();
  await enqueueId(db, ["--id", "long", "--command", blocker(db.dir)]);
  await enqueueId(db, [
    "--id",
    "slow",
    "--command",
    "sleep 600",
    "--timeout",
    "1s",
    "--max-retries",
    "0",
  ]);
  await using _workers = slotWorkers(db, 2, 1);
  const long = await pgidOf(db.dir, "long");
  const slow = await waitForJob(db, "slow", (j) => j.state === "dead");
  equal(slow.history[0]!.outcome, "timed_out");
  const next = await enqueueId(db, ["--command", "true"]);
  await waitForJob(db, next, (j) => j.state === "completed");
  ok(processGroupAlive(long), "the other slot's job still runs");
  equal((await showJob(db, "long")).state, "processing");
  await Deno.writeTextFile(join(db.dir, "go"), "");
  await waitForJob(db, "long", (j) => j.state === "completed");
});

Deno.test("a graceful stop lets every running slot finish its job, charged once, then the process exits 0", async () => {
  await using db = await tempDb();
  await fastBeats(db);
  const ids = ["g1", "g2", "g3"];
  for (const id of ids) await enqueueId(db, ["--id", id, "--command", blocker(db.dir)]);
  const workers = startWorkers(db, 3, { args: ["--processes", "1"] });
  let stopping: Promise<number> | null = null;
  try {
    for (const id of ids) await pgidOf(db.dir, id);
    await busyWith(db, 3);
    stopping = workers.stop(); // One SIGTERM: graceful.
    await waitFor(async () => (await workerList(db))[0]?.state === "stopping", {
      what: "the worker to say it is stopping",
    });
  } finally {
    await Deno.writeTextFile(join(db.dir, "go"), "");
  }
  equal(await (stopping ?? workers.stop()), 0);
  for (const id of ids) {
    const job = await showJob(db, id);
    deepStrictEqual([job.state, job.attempts, job.history.length], ["completed", 1, 1]);
  }
  deepStrictEqual(await workerList(db), []);
});

Deno.test("a forced stop kills every running slot's job and puts each back as pending, uncharged", async () => {
  await using db = await tempDb();
  await fastBeats(db);
  const ids = ["f1", "f2", "f3"];
  for (const id of ids) await enqueueId(db, ["--id", id, "--command", blocker(db.dir)]);
  const workers = startWorkers(db, 3, { args: ["--processes", "1"] });
  const groups = [];
  try {
    for (const id of ids) groups.push(await pgidOf(db.dir, id));
    await busyWith(db, 3);
    equal(await workers.stop("SIGQUIT"), 0);
  } finally {
    await workers.stop("SIGQUIT");
  }
  for (const id of ids) {
    const job = await showJob(db, id);
    deepStrictEqual([job.state, job.attempts], ["pending", 0], `${id} is back, uncharged`);
  }
  for (const pgid of groups) ok(!processGroupAlive(pgid), `process group ${pgid} is gone`);
});

Deno.test("worker start --count 5 --processes 2 runs 2 processes with 3 and 2 slots", async () => {
  await using db = await tempDb();
  await using _workers = slotWorkers(db, 5, 2);
  const list = await waitFor(async () => {
    const l = await workerList(db);
    return l.length === 2 ? l : null;
  }, { what: "two worker processes" });
  deepStrictEqual(list.map((w) => w.slots).sort(), [2, 3]);
});

Deno.test("worker start rejects --processes above --count or below 1 with one line, exit 2, and starts nothing", async () => {
  await using db = await tempDb();
  for (const args of [["--count", "2", "--processes", "3"], ["--processes", "0"]]) {
    const r = await cli(db, ["worker", "start", ...args]);
    equal(r.code, 2, r.stderr);
    equal(r.stderr.trim().split("\n").length, 1, r.stderr);
    ok(/--processes must be an integer from 1 to/.test(r.stderr), r.stderr);
  }
  deepStrictEqual(await workerList(db), []);
});
