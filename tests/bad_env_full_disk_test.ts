/**
 * A hostile environment with a full disk: enqueue and worker start on a database whose file
 * system is full, and a worker whose write of a job's result fails on it. Each gives a clear
 * one-line error or a job that completes once space is freed, never a hang and never a lost job.
 *
 * The disk is filled on a tiny tmpfs, which needs root (as in CI); where it cannot be mounted
 * the tests are ignored rather than faked.
 *
 * @module
 */
import { deepStrictEqual, doesNotMatch, equal, match, ok } from "node:assert/strict";
import { join } from "node:path";
import {
  assertOneLineError,
  cli,
  cliOk,
  processAlive,
  startWorkers,
  tempDb,
  waitFor,
  waitForJob,
} from "./helpers.ts";
import { CAN_MOUNT_TMPFS, cliWithin, fillDisk, PROMPTLY_MS, tinyDisk } from "./bad_env.ts";

Deno.test({
  name:
    "on a full disk enqueue and worker start exit 1 with one line, and every job stored before is intact once space is freed",
  ignore: !CAN_MOUNT_TMPFS,
  sanitizeResources: false,
  fn: async () => {
    await using db = await tempDb();
    using disk = await tinyDisk(db);
    const { mnt } = disk;
    const env = { QUEUECTL_DB: disk.db.env.QUEUECTL_DB! };
    let kv: Deno.Kv | null = null;
    try {
      const ids = ["keep1", "keep2", "keep3"];
      for (const id of ids) await cliOk(db, ["enqueue", "--id", id, "--command", "true"], { env });

      // 1. Full while nobody has the database open: SQLite cannot even make its -shm file.
      let filler = await fillDisk(mnt);
      const closed = await Promise.all([
        cliWithin(db, ["enqueue", "--command", "true"], PROMPTLY_MS, env),
        cliWithin(db, ["worker", "start", "--count", "2"], PROMPTLY_MS, env),
      ]);
      for (const r of closed) {
        ok(!r.timedOut, `still running after ${PROMPTLY_MS} ms:\n${r.stderr}`);
        assertOneLineError(r, 1, /cannot open database .*queue\.kv: /);
      }
      // Reading needs no new file: it opens the database read-only.
      const status = await cli(db, ["status", "--json"], { env });
      equal(status.code, 0, status.stderr);
      equal(JSON.parse(status.stdout).counts.pending, 3);
      await Deno.remove(filler);

      // 2. Full while the database is open elsewhere (as with running workers): the write fails.
      kv = await Deno.openKv(env.QUEUECTL_DB);
      await kv.get(["config", "max_retries"]);
      filler = await fillDisk(mnt);
      const big = Array.from(
        { length: 100 },
        (_, i) => JSON.stringify({ id: `big${i}`, command: `echo ${"x".repeat(1500)}` }),
      );
      const r = await cli(db, ["enqueue", "--file", "-"], { stdin: big.join("\n"), env });
      assertOneLineError(r, 1, /disk is full/);
      kv.close();
      kv = null;
      await Deno.remove(filler);

      // Space again: the jobs stored before are all there, nothing half-written, and it works.
      const list = JSON.parse(await cliOk(db, ["list", "--json"], { env }));
      deepStrictEqual(list.map((j: { id: string; state: string }) => [j.id, j.state]), [
        ["keep1", "pending"],
        ["keep2", "pending"],
        ["keep3", "pending"],
      ]);
      const doctor = await cli(db, ["doctor"], { env });
      equal(doctor.code, 0, doctor.stdout + doctor.stderr);
      await cliOk(db, ["enqueue", "--id", "after", "--command", "true"], { env });
    } finally {
      kv?.close();
    }
  },
});

Deno.test({
  name:
    "a worker whose result write fails on a full disk holds the result and writes it once space is freed: the job completes on its one run, not re-run as 'worker lost'",
  ignore: !CAN_MOUNT_TMPFS,
  sanitizeResources: false,
  fn: async () => {
    await using db = await tempDb();
    using disk = await tinyDisk(db);
    const { mnt } = disk;
    const env = { QUEUECTL_DB: disk.db.env.QUEUECTL_DB! };
    const flag = join(db.dir, "release");
    const fdb = { ...db, env: { ...db.env, ...env } };
    let workers: ReturnType<typeof startWorkers> | null = null;
    try {
      // Fast leases, so a worker that dies is recovered within seconds.
      await cliOk(fdb, ["config", "set", "heartbeat_ms", "500"]);
      await cliOk(fdb, ["config", "set", "lease_ms", "2000"]);
      await cliOk(fdb, ["config", "set", "backoff_base", "1"]);
      // The job counts its runs (outside the full disk) and waits for the test to say so.
      const runs = join(db.dir, "runs");
      const command = `echo run >> '${runs}'; while [ ! -e '${flag}' ]; do sleep 0.05; done`;
      await cliOk(fdb, ["enqueue", "--id", "slow", "--command", command]);
      workers = startWorkers(fdb, 1);
      await waitForJob(fdb, "slow", (j) => j.state === "processing");
      const filler = await fillDisk(mnt);
      await Deno.writeFile(flag, new Uint8Array()); // The job ends while the disk is full.
      await waitFor(() => workers!.log().includes("disk is full"), {
        what: "the worker to meet the full disk",
      });
      // Longer than the lease: the worker's heartbeats fail too, yet its result is not lost (or,
      // as before the fix, the worker crashed).
      await waitFor(() => {
        const log = workers!.log();
        return log.split("worker.heartbeat_failed").length > 5 || log.includes("worker.crashed");
      }, { what: "several failed heartbeats" });
      await Deno.remove(filler);
      const job = await waitForJob(fdb, "slow", (j) => j.state === "completed", {
        timeoutMs: 30_000,
      });
      deepStrictEqual(
        job.history.map((a) => [a.n, a.outcome, a.error]),
        [[1, "succeeded", null]],
        workers.log(),
      );
      equal(await Deno.readTextFile(runs), "run\n", "the command ran once");
      match(workers.log(), /job\.result_unwritten worker=\S+ job=slow attempt=1 .*disk is full/);
      match(workers.log(), /job\.result_written worker=\S+ job=slow attempt=1 outcome=succeeded/);
      doesNotMatch(workers.log(), /worker\.(failed|crashed)/);
    } finally {
      await workers?.stop();
    }
  },
});

Deno.test({
  name:
    "worker stop on a full disk stops the workers and their supervisor, even while it restarts a crashing worker, and writes nothing",
  ignore: !CAN_MOUNT_TMPFS,
  sanitizeResources: false,
  fn: async () => {
    await using db = await tempDb();
    using disk = await tinyDisk(db);
    const { mnt, db: fdb } = disk;
    let workers: ReturnType<typeof startWorkers> | null = null;
    try {
      await cliOk(fdb, ["config", "set", "heartbeat_ms", "200"]);
      workers = startWorkers(fdb, 2, { args: ["--processes", "2"] });
      const pids = await waitFor(async () => {
        const list = JSON.parse(await cliOk(fdb, ["worker", "list", "--json"]));
        return list.length === 2 ? list.map((w: { pid: number }) => w.pid) as number[] : null;
      }, { what: "2 registered workers" });
      await fillDisk(mnt);
      await waitFor(() => workers!.log().includes("worker.heartbeat_failed"), {
        what: "a heartbeat to fail on the full disk",
      });
      // Its replacement cannot register on the full disk: it crashes, and is restarted again.
      Deno.kill(pids[0]!, "SIGKILL");
      await waitFor(() => /worker\.failed .*disk is full/.test(workers!.log()), {
        what: "the restarted worker to crash on the full disk",
      });

      const r = await cliWithin(fdb, ["worker", "stop"], PROMPTLY_MS);
      ok(!r.timedOut, `worker stop was still running after ${PROMPTLY_MS} ms:\n${r.stderr}`);
      deepStrictEqual([r.code, r.stdout.trim(), r.stderr], [0, "stopped 2 worker(s)", ""]);
      const status = await Promise.race([
        workers.process.status,
        new Promise<null>((res) => setTimeout(() => res(null), 15_000)),
      ]);
      equal(status?.code, 0, `the supervisor exits: ${workers.log()}`);
      for (const pid of pids) ok(!processAlive(pid), `worker ${pid} exited`);
    } finally {
      await workers?.stop();
    }
  },
});

Deno.test({
  name:
    "a worker stopped while it holds a result the full disk refused: the job runs again, and its lost attempt says the result could not be written",
  ignore: !CAN_MOUNT_TMPFS,
  sanitizeResources: false,
  fn: async () => {
    await using db = await tempDb();
    using disk = await tinyDisk(db);
    const { mnt, db: fdb } = disk;
    const flag = join(db.dir, "release");
    let workers: ReturnType<typeof startWorkers> | null = null;
    try {
      await cliOk(fdb, ["config", "set", "backoff_base", "1"]);
      await cliOk(fdb, ["config", "set", "shutdown_grace_ms", "300"]);
      const command = `while [ ! -e '${flag}' ]; do sleep 0.05; done`;
      await cliOk(fdb, ["enqueue", "--id", "held", "--command", command]);
      workers = startWorkers(fdb, 1);
      await waitForJob(fdb, "held", (j) => j.state === "processing");
      const filler = await fillDisk(mnt);
      await Deno.writeFile(flag, new Uint8Array()); // The job succeeds while the disk is full.
      await waitFor(() => workers!.log().includes("job.result_unwritten"), {
        what: "the worker to hold its result",
      });
      // Stopped before any write gets through: the result is given up, the database never saw it.
      equal(await workers.stop(), 0);
      match(workers.log(), /job\.result_lost worker=\S+ job=held attempt=1/);
      await Deno.remove(filler);
      workers = startWorkers(fdb, 1);
      const job = await waitForJob(fdb, "held", (j) => j.state === "completed", {
        timeoutMs: 30_000,
      });
      deepStrictEqual(job.history.map((a) => [a.n, a.outcome]), [[1, "worker_lost"], [
        2,
        "succeeded",
      ]]);
      match(
        job.history[0]!.error,
        /^result could not be written: database or disk is full \(the command succeeded, exit 0\); then worker lost: /,
      );
    } finally {
      await workers?.stop();
    }
  },
});
