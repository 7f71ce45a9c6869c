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
import { bucketOf, MINUTE_MS } from "../metrics.ts";
import { cancelJob } from "./cancel.ts";
import { claimNext } from "./claim.ts";
import { finishAttempt } from "./finish.ts";
import { releaseClaim } from "./handoff.ts";
import { keys } from "./keys.ts";
import { MetricTally } from "./metric_tally.ts";
import { readMetrics, readTotals, sweepMetrics } from "./metrics.ts";
import type { Store } from "./open.ts";
import { promoteDue } from "./promote.ts";

const claim = async (store: Store, now: number, workerId = "w1") => {
  const c = await claimNext(store, { workerId, now });
  ok(c, "a job to claim");
  return c;
};

Deno.test("metrics count a known workload exactly: throughput, outcomes, run times, waits and workers", async () => {
  await using store = await tempStore();
  await enqueue(store, [
    spec({ id: "ok1" }),
    spec({ id: "ok2" }),
    spec({ id: "bad", max_retries: 1 }),
  ]);
  await enqueue(store, spec({ id: "later", run_at: T0 + 10 * MINUTE_MS }), T0 + 1000);
  // ok1: waits 100 ms, runs 200 ms; ok2: waits 300 ms, runs 2 s on another worker.
  let c = await claim(store, T0 + 100);
  await finishAttempt(store, c, report({ duration_ms: 200 }), {
    now: T0 + 300,
    settings: SETTINGS,
  });
  c = await claim(store, T0 + 300, "w2");
  await finishAttempt(store, c, report({ duration_ms: 2000 }), {
    now: T0 + 2300,
    settings: SETTINGS,
  });
  // bad: fails, is retried after 2 s, fails again and goes dead.
  c = await claim(store, T0 + 2300);
  strictEqual(c.job.id, "bad");
  const failed = await finishAttempt(store, c, failure(), { now: T0 + 2310, settings: SETTINGS });
  strictEqual(failed?.state, "failed");
  strictEqual(await promoteDue(store, { now: failed!.run_at }), 1);
  c = await claim(store, failed!.run_at + 5);
  await finishAttempt(store, c, failure(), { now: failed!.run_at + 15, settings: SETTINGS });
  // later: canceled while waiting.
  await cancelJob(store, "later", { now: T0 + 70 * 1000 });

  const now = T0 + 2 * MINUTE_MS;
  const m = await readMetrics(store, { now });
  assertEquals(m.window, {
    enqueued: 4,
    started: 4,
    completed: 2,
    retried: 1,
    dead: 1,
    canceled: 1,
    interrupted: 0,
    hook_ok: 0,
    hook_failed: 0,
  });
  strictEqual(m.success_rate, 2 / 3);
  strictEqual(m.dlq, 1);
  strictEqual(m.run_ms.count, 4);
  strictEqual(m.run_ms.max, 2000);
  strictEqual(m.wait_ms.count, 4);
  const byMinute = m.per_minute.filter((r) => r.enqueued + r.completed + r.canceled > 0);
  assertEquals(
    byMinute.map((r) => [r.minute - T0, r.enqueued, r.completed, r.canceled]),
    [[0, 4, 2, 0], [MINUTE_MS, 0, 0, 1]],
  );
  assertEquals(m.workers, [
    { worker: "w1", completed: 1, failed: 2 },
    { worker: "w2", completed: 1, failed: 0 },
  ]);

  const totals = await readTotals(store);
  assertEquals(totals.counters, m.window);
  strictEqual(totals.run.counts[bucketOf(200)], 1);
  strictEqual(totals.run.counts[bucketOf(2000)], 1);
  strictEqual(totals.run.sum_ms, 200 + 2000 + 10 + 10);
  strictEqual(totals.wait.counts.reduce((a, b) => a + b, 0), 4);
  strictEqual(totals.wait.sum_ms, 100 + 300 + 2300 + 5);
  await checkInvariants(store);
});

Deno.test("a claim released before it started leaves no trace in the wait metrics", async () => {
  await using store = await tempStore();
  await enqueue(store, spec({ id: "a" }));
  const c = await claim(store, T0 + 40);
  ok(await releaseClaim(store, c, { now: T0 + 50 }));
  const m = await readMetrics(store, { now: T0 + 60 });
  assertEquals([m.window.started, m.wait_ms.count, m.run_ms.count], [1, 0, 0]);
  const totals = await readTotals(store);
  assertEquals([totals.wait.counts.reduce((a, b) => a + b, 0), totals.wait.sum_ms], [0, 0]);
});

Deno.test("the report covers only the last hour, and sweepMetrics deletes buckets past two hours", async () => {
  await using store = await tempStore();
  await enqueue(store, spec({ id: "old" }), T0);
  await enqueue(store, spec({ id: "new" }), T0 + 150 * MINUTE_MS);
  const now = T0 + 150 * MINUTE_MS;
  strictEqual((await readMetrics(store, { now })).window.enqueued, 1);
  strictEqual((await readMetrics(store, { now: T0 + 59 * MINUTE_MS })).window.enqueued, 1);
  ok(await sweepMetrics(store, { now }) > 0);
  strictEqual(await sweepMetrics(store, { now }), 0, "nothing left to sweep");
  strictEqual((await readMetrics(store, { now: T0 })).window.enqueued, 0, "the old minute is gone");
  strictEqual((await readMetrics(store, { now })).window.enqueued, 1, "the recent one stays");
  strictEqual(
    (await readTotals(store)).counters.enqueued,
    2,
    "the swept minute is folded into the totals",
  );
});

Deno.test("readMetrics pages through more than 1,000 bucket entries", async () => {
  await using store = await tempStore();
  // 60 minutes × 20 workers × 1 completed key each, plus the other counters: over 1,000 keys.
  for (let minute = 0; minute < 60; minute++) {
    const at = T0 + minute * MINUTE_MS;
    await enqueue(store, Array.from({ length: 20 }, (_, i) => spec({ id: `j${minute}-${i}` })), at);
    for (let i = 0; i < 20; i++) {
      const c = await claim(store, at + 1, `w${i}`);
      await finishAttempt(store, c, report(), { now: at + 2, settings: SETTINGS });
    }
  }
  const m = await readMetrics(store, { now: T0 + 59 * MINUTE_MS });
  strictEqual(m.window.completed, 1200);
  strictEqual(m.workers.length, 20);
  ok(m.workers.every((w) => w.completed === 60), "each worker's 60 completions counted");
});

Deno.test("two sweeps folding the same old minutes at once count them once, and the totals match", async () => {
  await using store = await tempStore();
  await using other = await reopen(store);
  // 12 minutes of work, each minute with more keys than one fold batch holds.
  for (let minute = 0; minute < 12; minute++) {
    const at = T0 + minute * MINUTE_MS;
    await enqueue(store, [spec({ id: `a${minute}` }), spec({ id: `b${minute}` })], at);
    for (const w of ["w1", "w2"]) {
      const c = await claim(store, at + 10, w);
      await finishAttempt(store, c, report({ duration_ms: 5 + minute }), {
        now: at + 20 + minute,
        settings: SETTINGS,
      });
    }
  }
  const before = await readTotals(store);
  strictEqual(before.counters.completed, 24);
  const now = T0 + 200 * MINUTE_MS;
  const [a, b] = await Promise.all([sweepMetrics(store, { now }), sweepMetrics(other, { now })]);
  ok(a + b > 0, "the old minutes were folded");
  // Whatever one sweep lost to the other, a later sweep finishes.
  await sweepMetrics(store, { now });
  strictEqual(await sweepMetrics(other, { now }), 0, "nothing left to fold");
  assertEquals(await readTotals(store), before, "each minute counted exactly once");
  strictEqual((await readMetrics(store, { now: T0 + 5 * MINUTE_MS })).window.completed, 0);
});

Deno.test("the totals add live minutes to folded ones", async () => {
  await using store = await tempStore();
  await enqueue(store, spec({ id: "old" }), T0);
  await sweepMetrics(store, { now: T0 + 150 * MINUTE_MS });
  await enqueue(store, spec({ id: "new" }), T0 + 150 * MINUTE_MS);
  strictEqual((await readTotals(store)).counters.enqueued, 2, "one folded, one live");
});

Deno.test("the sweep folds per-queue figures, from tallies and counter keys, into the all-time totals", async () => {
  await using store = await tempStore();
  const tally = new MetricTally("w1");
  await enqueue(store, [
    spec({ id: "a", queue: "build" }),
    spec({ id: "b", queue: "build", max_retries: 0 }),
    spec({ id: "c", queue: "mail" }),
  ]);
  // a and b through the worker's tally; c by another worker through counter keys.
  for (const [i, result] of [report(), failure()].entries()) {
    const c = await claimNext(store, { workerId: "w1", now: T0 + i, tally });
    await finishAttempt(store, c!, result, { now: T0 + 20 + i, settings: SETTINGS, tally });
  }
  const c = await claim(store, T0 + 5, "w2");
  await finishAttempt(store, c, report(), { now: T0 + 30, settings: SETTINGS });
  const before = await readTotals(store);
  assertEquals([...before.queues.keys()].sort(), ["build", "mail"]);
  assertEquals(before.queues.get("build"), {
    completed: 1,
    retried: 0,
    dead: 1,
    runs: 2,
    run_sum: 40,
  });
  const now = T0 + 200 * MINUTE_MS;
  ok(await sweepMetrics(store, { now }) > 0);
  strictEqual(
    (await store.db.list({ prefix: keys.metricMinutes }, { limit: 10 })).length,
    0,
    "every minute key swept",
  );
  assertEquals(await readTotals(store), before, "per-queue totals survive the fold");
  const m = await readMetrics(store, { now });
  assertEquals(
    m.queues.map((q) => [q.queue, q.completed, q.dead]),
    [["default", 0, 0], ["build", 0, 0], ["mail", 0, 0]],
    "the swept minutes are out of the window",
  );
});
