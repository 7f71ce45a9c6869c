/**
 * `queuectl doctor` end to end: a healthy database passes; a database broken on purpose through
 * a raw `Deno.openKv` handle is reported (text and JSON) and `doctor --repair` mends it; an
 * orphaned processing job is reported until a live worker recovers it; history that breaks the
 * retry limit is reported and not "repaired" away; paging works past 1,000 jobs. The store-level
 * tests of jobs that move while doctor reads are in `doctor_live_queue_test.ts`.
 *
 * @module
 */
import { deepStrictEqual, equal, match, ok } from "node:assert/strict";
import type { Job } from "../src/job.ts";
import { claimNext } from "../src/store/mod.ts";
import { keys } from "../src/store/keys.ts";
import { registerWorker } from "./factory.ts";
import { cli, cliOk, startWorkers, storeOf, type TempDb, tempDb, waitForJob } from "./helpers.ts";

interface DoctorJson {
  backend: string;
  jobs: number;
  violations: { kind: string; job?: string; detail: string }[];
  repaired: number;
  unverified: string[];
  round_trip_ms: number;
  commit_ms: { small: number; large: number; large_waits: boolean } | null;
  wake: { kind: string; delivered: boolean; ms: number | null };
  clock: { method: string; offset_ms: number; uncertainty_ms: number };
  limits: { strict: boolean; checks_per_atomic: number };
}

/** `doctor --json` (plus `extra` flags), parsed, with its exit code. */
async function doctorJson(
  db: TempDb,
  extra: string[] = [],
  env: Record<string, string> = {},
): Promise<{ code: number; out: DoctorJson; stderr: string }> {
  const r = await cli(db, ["doctor", "--json", ...extra], { env });
  return { code: r.code, out: JSON.parse(r.stdout), stderr: r.stderr };
}

/** Runs `fn` on a raw KV handle of the test database, then closes it. */
async function withRawKv<T>(db: TempDb, fn: (kv: Deno.Kv) => Promise<T>): Promise<T> {
  const kv = await Deno.openKv(db.path);
  try {
    return await fn(kv);
  } finally {
    kv.close();
  }
}

async function rawJob(kv: Deno.Kv, id: string): Promise<Job> {
  const job = (await kv.get<Job>(keys.job(id))).value;
  ok(job, `job ${id} exists`);
  return job;
}

const kindsOf = (out: DoctorJson) =>
  out.violations.map((v) => [v.kind, v.job ?? null]).sort((a, b) =>
    String(a).localeCompare(String(b))
  );

Deno.test({
  name:
    "doctor on a healthy database with completed, dead, pending, scheduled and canceled jobs exits 0 and reports 0 violations",
  sanitizeOps: false,
  sanitizeResources: false,
  fn: async () => {
    await using db = await tempDb();
    await cliOk(db, ["enqueue", "--id", "ok", "--command", "true"]);
    await cliOk(db, ["enqueue", "--id", "bad", "--command", "exit 3", "--max-retries", "0"]);
    const workers = startWorkers(db, 1);
    try {
      await waitForJob(db, "ok", (j) => j.state === "completed");
      await waitForJob(db, "bad", (j) => j.state === "dead");
    } finally {
      equal(await workers.stop(), 0);
    }
    await cliOk(db, ["enqueue", "--id", "later", "--command", "true", "--delay", "1h"]);
    await cliOk(db, ["enqueue", "--id", "waiting", "--command", "true"]);
    await cliOk(db, ["enqueue", "--id", "dropped", "--command", "true"]);
    await cliOk(db, ["cancel", "dropped"]);

    const text = await cli(db, ["doctor"]);
    equal(text.code, 0, text.stderr);
    equal(text.stderr, "");
    match(text.stdout, /^database: .*queue\.kv \(local\)$/m);
    match(text.stdout, /^checked 5 job\(s\): 0 violation\(s\)$/m);
    match(text.stdout, /^round trip: [\d.]+ ms/m);
    match(text.stdout, /^commits: +[\d.]+ ms small, [\d.]+ ms past 1 KB \(medians of 3\)/m);
    match(text.stdout, /^wake-up: +inotify doorbell file: delivered in [\d.]+ ms$/m);
    match(text.stdout, /^clock: +0 ms skew \(one host, one clock\)$/m);
    match(text.stdout, /^limits: +strict: remote limits enforced/m);
    const json = await doctorJson(db);
    equal(json.code, 0, json.stderr);
    const { round_trip_ms, commit_ms, wake, clock, limits, ...report } = json.out;
    deepStrictEqual(report, {
      backend: "local",
      jobs: 5,
      violations: [],
      repaired: 0,
      unverified: [],
      hooks: { waiting: 0 },
    });
    ok(round_trip_ms >= 0 && round_trip_ms < 1000, `round trip ${round_trip_ms}`);
    ok(commit_ms, "a writable store has its commits timed");
    deepStrictEqual(Object.keys(commit_ms), ["small", "large", "large_waits"]);
    ok(commit_ms.small >= 0 && commit_ms.large >= 0, JSON.stringify(commit_ms));
    deepStrictEqual({ ...wake, ms: typeof wake.ms }, {
      kind: "inotify",
      delivered: true,
      ms: "number",
    });
    equal(clock.method, "same host");
    equal(clock.offset_ms, 0);
    equal(limits.strict, true);
    equal(limits.checks_per_atomic, 10);
  },
});

/** Makes `count` pending jobs p0..p{count-1}. */
async function pendingJobs(db: TempDb, count: number): Promise<void> {
  const lines = Array.from(
    { length: count },
    (_, i) => JSON.stringify({ id: `p${i}`, command: "true" }),
  );
  await cliOk(db, ["enqueue", "--file", "-"], { stdin: lines.join("\n") });
}

Deno.test({
  name:
    "doctor reports a deleted ready entry, a stray state entry and a wrong counter (exit 1, text and JSON); doctor --repair fixes all three and the job runs again",
  sanitizeOps: false,
  sanitizeResources: false,
  fn: async () => {
    await using db = await tempDb();
    await pendingJobs(db, 3);
    const ready = await withRawKv(db, async (kv) => {
      const p1 = await rawJob(kv, "p1");
      const readyKey = keys.ready("default", p1.priority, p1.seq, p1.id);
      ok((await kv.get(readyKey)).versionstamp, "the ready entry exists before it is deleted");
      const res = await kv.atomic()
        .delete(readyKey)
        .set(keys.state("dead", p1.seq, "ghost"), "ghost")
        .set(keys.count("pending"), new Deno.KvU64(7n))
        .commit();
      ok(res.ok);
      return readyKey;
    });

    const text = await cli(db, ["doctor"]);
    equal(text.code, 1);
    equal(text.stderr, "queuectl: doctor found 3 violation(s)\n");
    match(text.stdout, /^checked 3 job\(s\): 3 violation\(s\)$/m);
    match(
      text.stdout,
      /^ {2}missing_index: job p1 lacks index entry \["ready","default",0,.*"p1"\]$/m,
    );
    match(
      text.stdout,
      /^ {2}stray_index: index entry \["state","dead",.*"ghost"\] matches no job/m,
    );
    match(text.stdout, /^ {2}counter_mismatch: counter pending is 7 but 3 jobs are pending$/m);

    const json = await doctorJson(db);
    equal(json.code, 1);
    equal(json.out.jobs, 3);
    deepStrictEqual(kindsOf(json.out), [
      ["counter_mismatch", null],
      ["missing_index", "p1"],
      ["stray_index", "ghost"],
    ]);
    ok(json.out.violations.every((v) => typeof v.detail === "string" && v.detail !== ""));

    const repair = await cli(db, ["doctor", "--repair"]);
    equal(repair.code, 0, repair.stderr);
    match(repair.stdout, /^repaired: 3 key\(s\) rewritten$/m);
    match(repair.stdout, /^checked 3 job\(s\): 0 violation\(s\)$/m);
    const after = await doctorJson(db);
    equal(after.code, 0, after.stderr);
    deepStrictEqual(after.out.violations, []);
    await withRawKv(db, async (kv) => {
      equal((await kv.get(ready)).value, "p1", "the ready entry is back");
      const p1 = await rawJob(kv, "p1");
      equal((await kv.get(keys.state("dead", p1.seq, "ghost"))).versionstamp, null);
      deepStrictEqual((await kv.get(keys.count("pending"))).value, new Deno.KvU64(3n));
    });
    // A second repair has nothing left to do.
    match(await cliOk(db, ["doctor", "--repair"]), /^repaired: 0 key\(s\) rewritten$/m);

    // The repaired ready entry is claimable again: a worker runs every job.
    const workers = startWorkers(db, 1);
    try {
      for (const id of ["p0", "p1", "p2"]) await waitForJob(db, id, (j) => j.state === "completed");
    } finally {
      equal(await workers.stop(), 0);
    }
    equal((await doctorJson(db)).code, 0);
  },
});

Deno.test({
  name:
    "a processing job whose worker never registered is reported as orphaned_processing until a live worker recovers and completes it",
  sanitizeOps: false,
  sanitizeResources: false,
  fn: async () => {
    await using db = await tempDb();
    await cliOk(db, ["config", "set", "backoff_base", "1"]);
    await cliOk(db, ["enqueue", "--id", "orphan", "--command", "true"]);
    {
      // A worker that claims and dies before its first heartbeat leaves exactly this behind.
      await using store = await storeOf(db);
      const claimed = await claimNext(store, { workerId: "gone-host:999999:x", now: Date.now() });
      equal(claimed?.job.id, "orphan");
    }
    const found = await doctorJson(db);
    equal(found.code, 1);
    deepStrictEqual(kindsOf(found.out), [["orphaned_processing", "orphan"]]);
    match(found.out.violations[0]!.detail, /worker gone-host:999999:x is not registered/);
    // Repair rebuilds indexes; it does not pretend the job is not running.
    const repair = await doctorJson(db, ["--repair"]);
    deepStrictEqual([repair.code, repair.out.repaired, kindsOf(repair.out)], [1, 0, [[
      "orphaned_processing",
      "orphan",
    ]]]);

    const workers = startWorkers(db, 1);
    try {
      const job = await waitForJob(db, "orphan", (j) => j.state === "completed");
      deepStrictEqual(job.history.map((a) => a.outcome), ["worker_lost", "succeeded"]);
    } finally {
      equal(await workers.stop(), 0);
    }
    const after = await doctorJson(db);
    deepStrictEqual([after.code, after.out.violations], [0, []]);
  },
});

Deno.test({
  name:
    "a processing job whose worker's pid is dead on this host is reported as lost with its recovery pending, though its heartbeat is fresh",
  sanitizeOps: false,
  sanitizeResources: false,
  fn: async () => {
    await using db = await tempDb();
    const host = "doctor-host";
    const env = { QUEUECTL_HOSTNAME: host };
    await cliOk(db, ["enqueue", "--id", "held", "--command", "true"]);
    // A pid that was alive a moment ago and is gone now: a child that already exited.
    const gone = new Deno.Command("true").spawn();
    await gone.status;
    const worker = `${host}:${gone.pid}:x`;
    {
      await using store = await storeOf(db);
      await registerWorker(store, { id: worker, host, pid: gone.pid, heartbeat_at: Date.now() });
      equal((await claimNext(store, { workerId: worker, now: Date.now() }))?.job.id, "held");
    }
    const found = await doctorJson(db, [], env);
    equal(found.code, 1);
    deepStrictEqual(kindsOf(found.out), [["orphaned_processing", "held"]]);
    match(
      found.out.violations[0]!.detail,
      /worker .* has exited \(its pid is gone on this host\): lost, recovery pending until a worker runs/,
    );
    // From another host the pid means nothing, and the heartbeat is fresh.
    deepStrictEqual((await doctorJson(db, [], { QUEUECTL_HOSTNAME: "elsewhere" })).code, 0);
  },
});

Deno.test("a job record with more attempts than 1 + max_retries is reported as attempts_exceeded and --repair leaves that history alone", async () => {
  await using db = await tempDb();
  await cliOk(db, ["enqueue", "--id", "a", "--command", "true", "--max-retries", "1"]);
  await withRawKv(db, async (kv) => {
    const a = await rawJob(kv, "a");
    await kv.set(keys.job("a"), { ...a, attempts: 3, runs: 3 });
  });
  const found = await doctorJson(db);
  equal(found.code, 1);
  deepStrictEqual(kindsOf(found.out), [["attempts_exceeded", "a"]]);
  match(found.out.violations[0]!.detail, /job a ran 3 times, more than 1 \+ max_retries \(1\)/);
  const repair = await doctorJson(db, ["--repair"]);
  deepStrictEqual([repair.code, repair.out.repaired, kindsOf(repair.out)], [1, 0, [[
    "attempts_exceeded",
    "a",
  ]]]);
  const text = await cli(db, ["doctor"]);
  deepStrictEqual([text.code, text.stderr], [1, "queuectl: doctor found 1 violation(s)\n"]);
  match(text.stdout, /^ {2}attempts_exceeded: job a ran 3 times/m);
});

Deno.test("doctor pages through more than 1,000 jobs: it checks them all and finds a missing entry past the first page", async () => {
  await using db = await tempDb();
  const n = 1_100;
  await pendingJobs(db, n);
  // Job records sort by id as text, so "p999" is the last record (past the first page of 1,000);
  // index entries sort by seq, so p1099's are the last entries of their indexes.
  await withRawKv(db, async (kv) => {
    const [a, b] = [await rawJob(kv, "p999"), await rawJob(kv, "p1099")];
    const res = await kv.atomic()
      .delete(keys.ready("default", a.priority, a.seq, a.id))
      .delete(keys.ready("default", b.priority, b.seq, b.id))
      .commit();
    ok(res.ok);
  });
  const found = await doctorJson(db);
  equal(found.code, 1);
  equal(found.out.jobs, n);
  deepStrictEqual(kindsOf(found.out), [["missing_index", "p1099"], ["missing_index", "p999"]]);
  const repair = await doctorJson(db, ["--repair"]);
  deepStrictEqual([repair.code, repair.out.repaired, repair.out.violations], [0, 2, []]);
});
