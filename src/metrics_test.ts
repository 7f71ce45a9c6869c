import { deepStrictEqual as assertEquals, ok, strictEqual } from "node:assert/strict";
import { job, T0 } from "../tests/factory.ts";
import {
  BUCKET_BOUNDS_MS,
  bucketOf,
  MINUTE_MS,
  minuteOf,
  quantile,
  transitionEvents,
  WINDOW_MINUTES,
} from "./metrics.ts";
import { type MinuteData, summarize } from "./metrics_report.ts";

Deno.test("bucketOf puts a duration in the first bucket whose bound is at least it", () => {
  for (const ms of [0, 0.5, 1, 1.2, 3, 4, 10, 999, 1000, 60_000, 3_600_000]) {
    const b = bucketOf(ms);
    ok(BUCKET_BOUNDS_MS[b]! >= ms, `${ms} ms ≤ bound ${BUCKET_BOUNDS_MS[b]}`);
    ok(b === 0 || BUCKET_BOUNDS_MS[b - 1]! < ms, `${ms} ms > previous bound`);
  }
  strictEqual(bucketOf(1e12), BUCKET_BOUNDS_MS.length, "beyond the last bound is the overflow");
});

Deno.test("quantile interpolates inside the bucket and is null when empty", () => {
  strictEqual(quantile([0, 0, 0], 0.5), null);
  const counts = Array(BUCKET_BOUNDS_MS.length + 1).fill(0);
  counts[bucketOf(100)] = 10;
  const p50 = quantile(counts, 0.5)!;
  ok(p50 > 100 / Math.SQRT2 && p50 <= 100 * Math.SQRT2, `p50 ${p50} is near 100 ms`);
  counts[bucketOf(5000)] = 10;
  ok(quantile(counts, 0.95)! > 3000, "p95 falls in the slow half");
});

Deno.test("transitionEvents counts an enqueue, a claim with its wait, and an end with its run time", () => {
  const pending = job({ id: "a", state: "pending", created_at: T0, run_at: T0, updated_at: T0 });
  assertEquals(transitionEvents(null, pending)?.counters, ["enqueued"]);
  const running = {
    ...pending,
    state: "processing" as const,
    started_at: T0 + 30,
    updated_at: T0 + 30,
    worker: "w1",
  };
  const claim = transitionEvents(pending, running)!;
  assertEquals(claim.counters, ["started"]);
  assertEquals(claim.samples, [{ timing: "wait", ms: 30, delta: 1, at: T0 + 30 }]);
  const done = {
    ...running,
    state: "completed" as const,
    finished_at: T0 + 530,
    updated_at: T0 + 530,
  };
  const end = transitionEvents(running, done)!;
  assertEquals(end.counters, ["completed"]);
  assertEquals(end.samples, [{ timing: "run", ms: 500, delta: 1, at: T0 + 530 }]);
  assertEquals(end.worker, { id: "w1", ok: true });
});

Deno.test("transitionEvents: a failure with retries left is retried, the last one dead, a release undoes the start", () => {
  const running = job({ state: "processing", started_at: T0, worker: "w1", run_at: T0 - 5 });
  const at = { finished_at: T0 + 10, updated_at: T0 + 10 };
  const retried = transitionEvents(running, { ...running, ...at, state: "failed" })!;
  assertEquals([retried.counters, retried.worker], [["retried"], { id: "w1", ok: false }]);
  const dead = transitionEvents(running, { ...running, ...at, state: "dead" })!;
  assertEquals([dead.counters, dead.worker], [["dead"], { id: "w1", ok: false }]);
  const canceled = transitionEvents(running, { ...running, ...at, state: "canceled" })!;
  assertEquals([canceled.counters, canceled.worker], [["canceled"], null]);
  const released = transitionEvents(running, {
    ...running,
    state: "pending",
    finished_at: null,
    updated_at: T0 + 10,
  })!;
  assertEquals(released.counters, []);
  assertEquals(released.samples, [{ timing: "wait", ms: 5, delta: -1, at: T0 }]);
  strictEqual(transitionEvents(running, { ...running, cancel_requested: true }), null);
  strictEqual(transitionEvents(running, null), null, "a delete counts nothing");
});

Deno.test("summarize fills every minute of the last hour and ignores older buckets", () => {
  const now = T0 + 90 * MINUTE_MS + 5_000;
  const minute = (ago: number, completed: number, dead = 0): MinuteData => ({
    minute: minuteOf(now) - ago * MINUTE_MS,
    counters: { completed, dead },
    run: new Map([[bucketOf(200), completed + dead]]),
    run_max: 250,
    wait: new Map(),
    workers: new Map([["w1", { completed, failed: dead }]]),
  });
  const report = summarize([minute(0, 3), minute(59, 5, 2), minute(60, 100)], { now, dlq: 7 });
  strictEqual(report.per_minute.length, WINDOW_MINUTES);
  strictEqual(report.per_minute.at(-1)!.minute, minuteOf(now));
  assertEquals([report.per_minute[0]!.completed, report.per_minute.at(-1)!.completed], [5, 3]);
  assertEquals([report.window.completed, report.window.dead], [8, 2]);
  strictEqual(report.success_rate, 0.8);
  assertEquals([report.run_ms.count, report.run_ms.max], [10, 250]);
  assertEquals(report.wait_ms, { count: 0, p50: null, p95: null });
  assertEquals(report.workers, [{ worker: "w1", completed: 8, failed: 2 }]);
  strictEqual(report.dlq, 7);
});
