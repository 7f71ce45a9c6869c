/**
 * Workers on several "hosts" (separate processes with their own `QUEUECTL_HOSTNAME`) sharing
 * one queue. A host that vanishes mid-job (its supervisor, worker and job all killed with -9)
 * leaves a pid that means nothing elsewhere, so another host may take the job back only when
 * the lease runs out: the recovery must wait for the lease, and must not wait much longer.
 * Runs on a local KV file and on a KV Connect server.
 *
 * @module
 */
import { equal, match, ok } from "node:assert/strict";
import { join } from "node:path";
import {
  cliOk,
  processGroupAlive,
  showJob,
  startWorkers,
  type TempDb,
  tempDb,
  waitFor,
  waitForJob,
  workersFor,
} from "./helpers.ts";
import { remoteQueue } from "./support/remote_queue.ts";

// deno-lint-ignore no-explicit-any
type Json = Record<string, any>;

const LEASE_MS = 1500;
const HEARTBEAT_MS = 200;

function onHost(db: TempDb, host: string): TempDb {
  return { ...db, env: { ...db.env, QUEUECTL_HOSTNAME: host } };
}

async function workerList(db: TempDb): Promise<Json[]> {
  return JSON.parse(await cliOk(db, ["worker", "list", "--json"]));
}

async function vanishedHostIsRecoveredByLease(db: TempDb): Promise<void> {
  await cliOk(db, ["config", "set", "heartbeat_ms", String(HEARTBEAT_MS)]);
  await cliOk(db, ["config", "set", "lease_ms", String(LEASE_MS)]);
  await cliOk(db, ["config", "set", "backoff_base", "1"]);
  // Host A takes the job, alone, so that it is certainly the holder.
  const pidFile = join(db.dir, "job.pid");
  const hostA = startWorkers(onHost(db, "host-a"), 1);
  try {
    const id = (await cliOk(db, [
      "enqueue",
      "--id",
      "held",
      "--command",
      `echo $$ > ${pidFile}; exec sleep 60`,
    ])).trim();
    const held = await waitForJob(db, id, (j) => j.state === "processing");
    match(held.worker, /^host-a:/);
    const jobPgid = Number(
      await waitFor(async () => {
        const text = await Deno.readTextFile(pidFile).catch(() => "");
        return text.trim();
      }, { what: "the job's pid" }),
    );
    // Host B joins while the job runs; its workers must leave the job alone while A beats.
    await using _hostB = workersFor(onHost(db, "host-b"), 2, { args: ["--processes", "2"] });
    await waitFor(
      async () => (await workerList(db)).filter((w) => w.host === "host-b").length === 2,
      {
        what: "host B's workers",
      },
    );
    await new Promise((r) => setTimeout(r, LEASE_MS + 500));
    equal((await showJob(db, id)).state, "processing", "a live host keeps its job past one lease");

    // Host A vanishes: supervisor, worker and job, all at once.
    const holder = (await workerList(db)).find((w) => w.id === held.worker)!;
    const lastSeenBeat = Date.parse(holder.heartbeat_at);
    hostA.process.kill("SIGKILL");
    Deno.kill(holder.pid, "SIGKILL");
    Deno.kill(-jobPgid, "SIGKILL");
    const killedAt = Date.now();
    await waitFor(() => !processGroupAlive(jobPgid), { what: "the job's processes to die" });

    const recovered = await waitForJob(
      db,
      id,
      (j) => j.history[0]?.outcome === "worker_lost",
      {
        timeoutMs: 20_000,
        what: "host B to recover the job",
      },
    );
    const attempt = recovered.history[0]!;
    match(attempt.error, /no heartbeat for \d+s/, "recovered by the lease, not by a pid check");
    const recoveredAt = Date.parse(attempt.finished_at);
    ok(
      recoveredAt - lastSeenBeat > LEASE_MS,
      `recovered ${recoveredAt - lastSeenBeat} ms after a heartbeat: sooner than the lease`,
    );
    ok(
      recoveredAt - killedAt >= LEASE_MS - HEARTBEAT_MS - 150,
      `recovered ${recoveredAt - killedAt} ms after the kill: the lease was not waited for`,
    );
    ok(
      recoveredAt - killedAt < LEASE_MS + 4000,
      `recovered ${recoveredAt - killedAt} ms after the kill: far beyond the lease`,
    );
    // The retry runs on host B.
    const rerun = await waitForJob(db, id, (j) => j.state === "processing" && j.runs === 2, {
      timeoutMs: 20_000,
    });
    match(rerun.worker, /^host-b:/);
    await cliOk(db, ["cancel", id]);
  } finally {
    await hostA.stop("SIGKILL");
  }
}

Deno.test("a vanished host's job is recovered by another host through the lease alone (local file)", async () => {
  await using db = await tempDb();
  await vanishedHostIsRecoveredByLease(db);
});

Deno.test("a vanished host's job is recovered by another host through the lease alone (KV Connect)", async () => {
  await using q = await remoteQueue();
  await vanishedHostIsRecoveredByLease(q.db);
});

Deno.test({
  name:
    "a worker frozen past its lease stops its run within a heartbeat of waking once another host has recovered the job",
  sanitizeOps: false,
  sanitizeResources: false,
  fn: async () => {
    await using db = await tempDb();
    await cliOk(db, ["config", "set", "heartbeat_ms", String(HEARTBEAT_MS)]);
    await cliOk(db, ["config", "set", "lease_ms", String(LEASE_MS)]);
    await cliOk(db, ["config", "set", "backoff_base", "1"]);
    const pidOf = (run: number) => join(db.dir, `run-${run}.pid`);
    const readPid = (run: number) =>
      waitFor(async () => Number(await Deno.readTextFile(pidOf(run)).catch(() => "")) || null, {
        what: `run ${run}'s pid`,
      });
    const hostA = startWorkers(onHost(db, "host-a"), 1);
    let frozen: number | null = null;
    try {
      await cliOk(db, [
        "enqueue",
        "--id",
        "held",
        "--command",
        `echo $$ > ${db.dir}/run-$QUEUECTL_RUN.pid; exec sleep 60`,
      ]);
      const held = await waitForJob(db, "held", (j) => j.state === "processing");
      const first = await readPid(1);
      frozen = (await workerList(db)).find((w) => w.id === held.worker)!.pid as number;
      Deno.kill(frozen, "SIGSTOP");
      // Host B cannot signal host A's processes: it takes the job back by the lease alone.
      await using _hostB = workersFor(onHost(db, "host-b"), 1);
      await readPid(2);
      ok(processGroupAlive(first), "host B reached into host A");
      Deno.kill(frozen, "SIGCONT");
      frozen = null;
      await waitFor(() => !processGroupAlive(first), {
        what: "the stale run to stop once its worker woke",
        timeoutMs: 5_000,
      });
      await waitFor(() => hostA.log().includes("job.result_refused"), {
        what: "host A to log its refused result",
      });
      const job = await showJob(db, "held");
      equal(job.history[0]!.outcome, "worker_lost");
      equal(job.state, "processing", "the retry on host B runs on");
      await cliOk(db, ["cancel", "held"]);
    } finally {
      if (frozen !== null) Deno.kill(frozen, "SIGCONT");
      await hostA.stop("SIGKILL");
    }
  },
});
