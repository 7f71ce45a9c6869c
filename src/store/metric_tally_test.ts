import { deepStrictEqual as assertEquals, ok, strictEqual } from "node:assert/strict";
import {
  checkInvariants,
  enqueue,
  failure,
  reopen,
  report,
  SETTINGS,
  spec,
  T0,
  tempStore,
} from "../../tests/factory.ts";
import { MINUTE_MS } from "../metrics.ts";
import { claimNext } from "./claim.ts";
import { finishAttempt } from "./finish.ts";
import { finishAndClaimNext, releaseClaim } from "./handoff.ts";
import { keys } from "./keys.ts";
import { MetricTally, TallyDraft, tallyParts } from "./metric_tally.ts";
import { MAX_TALLY_QUEUES, OTHER_QUEUES } from "../queue_metrics.ts";
import { readMetrics, readTotals, sweepMetrics } from "./metrics.ts";
import type { Store } from "./open.ts";

/**
 * Runs one workload across two minutes: three jobs succeed, one fails and goes dead, one is
 * released after its claim. With `tally`, the worker counts into it; without, into counter keys.
 */
async function workload(store: Store, tally?: MetricTally): Promise<void> {
  const workerId = "w1";
  await enqueue(store, [
    spec({ id: "a" }),
    spec({ id: "b" }),
    spec({ id: "c", max_retries: 0 }),
    spec({ id: "d" }),
    spec({ id: "e" }),
  ]);
  let c = await claimNext(store, { workerId, now: T0 + 10, tally });
  for (const [i, at] of [T0 + 30, T0 + 50, T0 + MINUTE_MS + 5].entries()) {
    const result = c!.job.id === "c" ? failure() : report({ duration_ms: 10 * (i + 1) });
    const h = await finishAndClaimNext(store, c!, result, { now: at, settings: SETTINGS, tally });
    ok(h.job && h.next, "a handoff");
    c = h.next;
  }
  await finishAttempt(store, c!, report({ duration_ms: 7 }), {
    now: T0 + MINUTE_MS + 20,
    settings: SETTINGS,
    tally,
  });
  const last = await claimNext(store, { workerId, now: T0 + MINUTE_MS + 30, tally });
  ok(await releaseClaim(store, last!, { now: T0 + MINUTE_MS + 40 }));
}

Deno.test("a worker's tally reports exactly what counter keys report, in one key per minute", async () => {
  await using plain = await tempStore();
  await using tallied = await tempStore();
  await workload(plain);
  await workload(tallied, new MetricTally("w1"));
  const now = T0 + 2 * MINUTE_MS;
  assertEquals(await readMetrics(tallied, { now }), await readMetrics(plain, { now }));
  assertEquals(await readTotals(tallied), await readTotals(plain));
  const tallies = await tallied.db.list({ prefix: keys.metricMinutes }, { limit: 1000 });
  strictEqual(tallies.filter((e) => e.key[3] === "tally").length, 2, "one per minute");
  ok(!tallies.some((e) => e.key[3] === "started"), "no started counter key: the tally has it");
  await checkInvariants(tallied);
});

Deno.test("a tally folded by a sweep, or written through another handle, is re-read, not overwritten", async () => {
  await using store = await tempStore();
  await using other = await reopen(store);
  const tally = new MetricTally("w1");
  const twin = new MetricTally("w1");
  await enqueue(store, [spec({ id: "a" }), spec({ id: "b" }), spec({ id: "c" })]);
  // Three hours go by between claim and result (the clock jumps): the claim's minute is swept.
  const c = await claimNext(store, { workerId: "w1", now: T0, tally });
  ok(await sweepMetrics(store, { now: T0 + 180 * MINUTE_MS }) > 0);
  // A second handle with the same worker id writes this minute's tally behind this one's back.
  const late = T0 + 180 * MINUTE_MS;
  const t = await claimNext(other, { workerId: "w1", now: late, tally: twin });
  await finishAttempt(other, t!, report(), { now: late + 1, settings: SETTINGS, tally: twin });
  await finishAttempt(store, c!, report(), { now: late + 2, settings: SETTINGS, tally });
  const totals = await readTotals(store);
  assertEquals([totals.counters.started, totals.counters.completed], [2, 2]);
  const m = await readMetrics(store, { now: late + 3 });
  assertEquals(
    [m.window.started, m.window.completed],
    [1, 2],
    "the swept start is not in the window",
  );
  assertEquals(m.workers, [{ worker: "w1", completed: 2, failed: 0 }]);
});

Deno.test("tallyParts names each count as the counter key it stands for", () => {
  assertEquals(
    tallyParts("w1", {
      started: 2,
      "wait.3": 2,
      wait_sum: 9,
      "run.5": 1,
      run_sum: 4,
      run_max: 4,
      "worker.completed": 1,
      retried: 0,
    }),
    [
      [["started"], 2],
      [["wait", 3], 2],
      [["wait_sum"], 9],
      [["run", 5], 1],
      [["run_sum"], 4],
      [["run_max"], 4],
      [["worker", "w1", "completed"], 1],
    ],
  );
  assertEquals(tallyParts("w1", null), []);
});

Deno.test("one failed commit keeps the tally without a read; a second failure in a row re-reads it", async () => {
  const store = await tempStore();
  const tally = new MetricTally("w1");
  await tally.ready(store, T0);
  const failed = () => {
    const draft = tally.draft(T0);
    draft.absorb({ at: T0, counters: ["started"], samples: [], worker: null });
    tally.settle(draft, null);
  };
  failed();
  // The store is closed from here on: a read would throw.
  await store[Symbol.asyncDispose]();
  await tally.ready(store, T0);
  assertEquals(tally.draft(T0).value, {}, "the failed commit's counts are not kept");
  failed();
  let read = false;
  await tally.ready(store, T0).catch(() => (read = true));
  ok(read, "the second failure in a row makes the next try read the stored tally");
});

/** Jobs of two named queues and the default one, each claimed and finished by worker w1. */
async function queueWorkload(store: Store, tally?: MetricTally): Promise<void> {
  await enqueue(store, [
    spec({ id: "a", queue: "build" }),
    spec({ id: "b", queue: "build", max_retries: 0 }),
    spec({ id: "c", queue: "build", max_retries: 1 }),
    spec({ id: "d", queue: "mail.out" }),
    spec({ id: "e" }),
  ]);
  for (let i = 0; i < 5; i++) {
    const c = await claimNext(store, { workerId: "w1", now: T0 + 10 * i, tally });
    ok(c, "a job to claim");
    const result = c.job.id === "b" || c.job.id === "c" ? failure() : report();
    await finishAttempt(store, c, result, { now: T0 + 10 * i + 5, settings: SETTINGS, tally });
  }
}

Deno.test("a worker's tally counts each named queue's outcomes and run times exactly as counter keys do", async () => {
  await using plain = await tempStore();
  await using tallied = await tempStore();
  await queueWorkload(plain);
  await queueWorkload(tallied, new MetricTally("w1"));
  const now = T0 + MINUTE_MS;
  const m = await readMetrics(tallied, { now });
  assertEquals(m, await readMetrics(plain, { now }));
  assertEquals(await readTotals(tallied), await readTotals(plain));
  assertEquals(
    m.queues.map((q) => [q.queue, q.completed, q.retried, q.dead, q.run_ms.count, q.dlq]),
    [
      ["default", 1, 0, 0, 1, 0],
      ["build", 1, 1, 1, 3, 1],
      ["mail.out", 1, 0, 0, 1, 0],
    ],
  );
  assertEquals((await readTotals(tallied)).queues.get("build"), {
    completed: 1,
    retried: 1,
    dead: 1,
    runs: 3,
    run_sum: 15,
  });
  const entries = await tallied.db.list({ prefix: keys.metricMinutes }, { limit: 1000 });
  ok(!entries.some((e) => e.key[3] === "q"), "no per-queue counter key: the tally holds them");
  ok(
    (await plain.db.list({ prefix: keys.metricMinutes }, { limit: 1000 }))
      .some((e) => e.key[3] === "q" && e.key[4] === "mail.out"),
    "without a tally, counter keys per queue",
  );
  await checkInvariants(tallied);
});

Deno.test("a tally names at most 32 queues a minute and counts the rest under (other), losing no count", () => {
  const draft = new TallyDraft("w1", T0, {}, { versionstamp: null });
  const done = (queue: string) =>
    draft.absorb({
      at: T0,
      counters: ["completed"],
      samples: [{ timing: "run", ms: 10, delta: 1, at: T0 }],
      worker: null,
      queue,
    });
  for (let i = 0; i < 40; i++) ok(done(`q${i}`));
  ok(done("q0"), "a queue already named keeps its own name past the cap");
  const parts = tallyParts("w1", draft.value).filter(([name]) => name[0] === "q");
  const completed = new Map(
    parts.filter(([name]) => name[2] === "completed").map(([name, n]) => [name[1], n]),
  );
  strictEqual(completed.size, MAX_TALLY_QUEUES + 1);
  strictEqual(completed.get("q0"), 2);
  strictEqual(completed.get(OTHER_QUEUES), 40 - MAX_TALLY_QUEUES);
  strictEqual([...completed.values()].reduce((a, b) => a + b, 0), 41);
  ok(!completed.has("q39"));
  ok(JSON.stringify(draft.value).length < 8_000, "the value stays small");
});

Deno.test("tallyParts reads a per-queue count whose queue name has dots, and skips an unknown figure", () => {
  assertEquals(tallyParts("w1", { "q.completed.mail.out": 2, "q.bogus.x": 1, "q.runs.b": 0 }), [
    [["q", "mail.out", "completed"], 2],
  ]);
});
