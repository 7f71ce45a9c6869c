/**
 * Named queues through the real CLI, real workers and a real KV file: `--queue`, `--queues`
 * preference, `queue list`, pause and resume, a rate, and the bad input of every queue command.
 */
import {
  deepStrictEqual as assertEquals,
  doesNotMatch,
  match,
  ok,
  strictEqual,
} from "node:assert/strict";
import { claimNext, putWorker } from "../src/store/mod.ts";
import { keys } from "../src/store/keys.ts";
import {
  assertOneLineError,
  cli,
  cliOk,
  createDb,
  enqueueId,
  showJob,
  startWorkers,
  storeOf,
  tempDb,
  waitFor,
} from "./helpers.ts";

// deno-lint-ignore no-explicit-any
type Json = any;
const queues = async (db: Parameters<typeof cli>[0]): Promise<Record<string, Json>> =>
  Object.fromEntries(
    JSON.parse(await cliOk(db, ["queue", "list", "--json"])).map((q: Json) => [q.name, q]),
  );

Deno.test({
  name:
    "jobs go to their named queue; a worker given --queues runs only those, preferring the first; queue list counts each",
  sanitizeOps: false,
  sanitizeResources: false,
  fn: async () => {
    await using db = await tempDb();
    const b = await enqueueId(db, ["--queue", "build", "echo build"]);
    const m = await enqueueId(db, ['{"command":"echo mail","queue":"mail"}']);
    const d = await enqueueId(db, ["echo default"]);
    const mail2 = await cliOk(db, ["enqueue", "--file", "-", "--lines", "--queue", "mail"], {
      stdin: "echo m2\n",
    });
    strictEqual(mail2.trim(), "enqueued 1 jobs");
    strictEqual((await showJob(db, b)).queue, "build");
    strictEqual((await showJob(db, d)).queue, "default");
    const listed = JSON.parse(await cliOk(db, ["list", "--queue", "mail", "--json"]));
    assertEquals(listed.map((j: Json) => j.queue), ["mail", "mail"]);
    const before = await queues(db);
    assertEquals(Object.keys(before), ["default", "build", "mail"]);
    assertEquals([before.mail.counts.pending, before.build.counts.pending], [2, 1]);

    const workers = startWorkers(db, 1, { args: ["--queues", "mail,build"] });
    try {
      await waitFor(async () => {
        const q = await queues(db);
        return q.mail.counts.completed === 2 && q.build.counts.completed === 1;
      }, { what: "the mail and build jobs to complete" });
      const started = async (id: string) => Date.parse((await showJob(db, id)).started_at);
      ok(await started(m) < await started(b), "mail is preferred over build");
      strictEqual((await showJob(db, d)).state, "pending", "default is not served");
    } finally {
      strictEqual(await workers.stop(), 0);
    }
  },
});

Deno.test({
  name:
    "queue pause stops new starts of that queue at once, on every worker, while its running job finishes; resume lets the rest run",
  sanitizeOps: false,
  sanitizeResources: false,
  fn: async () => {
    await using db = await tempDb();
    await cliOk(db, ["config", "set", "heartbeat_ms", "200"]);
    await cliOk(db, ["config", "set", "lease_ms", "2000"]);
    const lines = Array.from(
      { length: 12 },
      (_, i) => JSON.stringify({ id: `p${i}`, command: "sleep 0.3", queue: "slow" }),
    );
    await cliOk(db, ["enqueue", "--file", "-"], { stdin: lines.join("\n") });
    const workers = startWorkers(db, 2);
    try {
      await waitFor(async () => (await queues(db)).slow.running > 0, { what: "a running job" });
      strictEqual(
        (await cliOk(db, ["queue", "pause", "slow"])).trim(),
        "slow: paused, concurrency none, rate none",
      );
      const pausedAt = Date.now();
      // The jobs running at the pause finish; no other starts.
      await waitFor(async () => (await queues(db)).slow.running === 0, { what: "runs to end" });
      const q = await queues(db);
      strictEqual(q.slow.paused, true);
      ok(q.slow.counts.pending > 0, "jobs are left waiting");
      const all = JSON.parse(await cliOk(db, ["list", "--queue", "slow", "--json"]));
      for (const job of all) {
        if (job.started_at) {
          ok(Date.parse(job.started_at) <= pausedAt, `${job.id} started after the pause`);
        }
      }
      strictEqual(
        (await cliOk(db, ["queue", "resume", "slow"])).trim(),
        "slow: active, concurrency none, rate none",
      );
      await waitFor(async () => (await queues(db)).slow.counts.completed === 12, {
        what: "every job to complete after resume",
      });
    } finally {
      strictEqual(await workers.stop(), 0);
    }
  },
});

Deno.test({
  name:
    "a queue over its rate makes jobs wait, pending and with no attempt spent; lifting the rate lets them run",
  sanitizeOps: false,
  sanitizeResources: false,
  fn: async () => {
    await using db = await tempDb();
    strictEqual(
      (await cliOk(db, ["queue", "set", "mail", "--rate", "2/1h"])).trim(),
      "mail: active, concurrency none, rate 2/1h",
    );
    const lines = Array.from(
      { length: 5 },
      (_, i) => JSON.stringify({ id: `r${i}`, command: "true", queue: "mail" }),
    );
    await cliOk(db, ["enqueue", "--file", "-"], { stdin: lines.join("\n") });
    const d = await enqueueId(db, ["true"]);
    const workers = startWorkers(db, 2);
    try {
      await waitFor(async () => (await queues(db)).mail.counts.completed === 2, {
        what: "two starts",
      });
      await waitFor(async () => (await showJob(db, d)).state === "completed", {
        what: "the default queue to go on meanwhile",
      });
      const q = await queues(db);
      assertEquals([q.mail.counts.pending, q.mail.counts.failed, q.mail.running], [3, 0, 0]);
      const waiting = JSON.parse(
        await cliOk(db, ["list", "--queue", "mail", "--state", "pending", "--json"]),
      );
      assertEquals(waiting.map((j: Json) => j.attempts), [0, 0, 0]);
      assertEquals((await queues(db)).mail.rate, "2/1h");
      await cliOk(db, ["queue", "set", "mail", "--rate", "none"]);
      await waitFor(async () => (await queues(db)).mail.counts.completed === 5, {
        what: "the rest to run once the rate is lifted",
      });
    } finally {
      strictEqual(await workers.stop(), 0);
    }
  },
});

Deno.test("bad queue input is one line on stderr, exit 2, and writes nothing", async () => {
  await using db = await tempDb();
  // Before any database exists, a named queue is unknown all the same, and none is made.
  assertOneLineError(await cli(db, ["queue", "pause", "mail"]), 2, /unknown queue "mail"/);
  strictEqual(await Deno.stat(db.path).then(() => true, () => false), false);
  await createDb(db);
  await cliOk(db, ["queue", "set", "build", "--concurrency", "2"]);
  const before = await cliOk(db, ["queue", "list", "--json"]);
  const cases: [string[], RegExp][] = [
    [["queue", "set", "mail", "--rate", "0/1m"], /--rate's count must be an integer from 1/],
    [["queue", "set", "mail", "--rate", "1001/1m"], /from 1 to 1000/],
    [["queue", "set", "mail", "--rate", "10"], /--rate takes N\/DURATION/],
    [["queue", "set", "build", "--concurrency", "0"], /--concurrency must be an integer/],
    [["queue", "set", "build", "--concurrency", "abc"], /--concurrency must be an integer/],
    [["queue", "set", "build"], /takes --concurrency/],
    [["queue", "pause", "nosuch"], /unknown queue "nosuch"/],
    [["queue", "resume", "nosuch"], /unknown queue "nosuch"/],
    [["queue", "set", "a b", "--concurrency", "1"], /queue name must be/],
    [["queue", "pause", ".."], /queue name must be/],
    [["enqueue", "--queue", "a/b", "true"], /queue name must be/],
    [["enqueue", '{"command":"true","queue":""}'], /queue name must be/],
    [["list", "--queue", "x".repeat(65)], /queue name must be/],
    [["worker", "start", "--queues", "a,,b"], /--queues takes names/],
  ];
  for (const [args, pattern] of cases) {
    assertOneLineError(await cli(db, args), 2, pattern, args.join(" "));
  }
  strictEqual(await cliOk(db, ["queue", "list", "--json"]), before);
  strictEqual((await cliOk(db, ["list", "--json"])).trim(), "[]");
});

Deno.test("doctor reports a queue counter that differs from its jobs and a queue over its limit; --repair mends the counter", async () => {
  await using db = await tempDb();
  await enqueueId(db, ["--queue", "build", "true"]);
  await enqueueId(db, ["--queue", "build", "true"]);
  {
    await using store = await storeOf(db);
    // Two running build jobs, claimed before a limit of 1 was set, by a live worker.
    await putWorker(store, {
      id: "w1",
      pid: Deno.pid,
      host: "elsewhere",
      state: "busy",
      job: null,
      job_pgid: null,
      started_at: Date.now(),
      heartbeat_at: Date.now() + 60_000,
      processed: 0,
      supervisor: null,
    });
    ok(await claimNext(store, { workerId: "w1", now: Date.now() }));
    ok(await claimNext(store, { workerId: "w1", now: Date.now() }));
    await store.db.kv.set(keys.qcount("build", "completed"), new Deno.KvU64(3n));
  }
  await cliOk(db, ["queue", "set", "build", "--concurrency", "1"]);
  const r = await cli(db, ["doctor"]);
  strictEqual(r.code, 1);
  match(r.stdout, /queue_counter_mismatch: queue build's counter completed is 3 but 0 of its jobs/);
  match(r.stdout, /queue_over_limit: queue build runs 2 jobs, over its concurrency limit 1/);
  const repaired = await cli(db, ["doctor", "--repair"]);
  match(repaired.stdout, /repaired: 1 key\(s\) rewritten/);
  doesNotMatch(repaired.stdout, /queue_counter_mismatch/);
  match(repaired.stdout, /queue_over_limit/, "an over-limit queue is reported, not repaired");
});
