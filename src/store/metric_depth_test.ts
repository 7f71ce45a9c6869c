import { deepStrictEqual as assertEquals, strictEqual } from "node:assert/strict";
import { enqueue, spec, T0, tempStore } from "../../tests/factory.ts";
import { MINUTE_MS } from "../metrics.ts";
import { claimNext } from "./claim.ts";
import { sampleDepth } from "./metric_depth.ts";
import { readMetrics, sweepMetrics } from "./metrics.ts";

Deno.test("queue depth is sampled per minute (the highest sample wins) and the current minute reads live", async () => {
  await using store = await tempStore();
  await enqueue(store, [spec({ id: "a" }), spec({ id: "b" }), spec({ id: "c" })]);
  strictEqual(await sampleDepth(store, { now: T0 + 1000 }), 3);
  await claimNext(store, { workerId: "w1", now: T0 + 2000 });
  // A later, lower sample of the same minute keeps the peak.
  strictEqual(await sampleDepth(store, { now: T0 + 3000 }), 2);
  strictEqual(await sampleDepth(store, { now: T0 + MINUTE_MS + 1000 }), 2);
  await claimNext(store, { workerId: "w1", now: T0 + 3 * MINUTE_MS });
  const m = await readMetrics(store, { now: T0 + 3 * MINUTE_MS + 5000 });
  assertEquals(m.per_minute.slice(-4).map((r) => r.depth), [3, 2, null, 1]);
  // Nothing was sampled before: no invented zeros.
  strictEqual(m.per_minute[0]!.depth, null);
});

Deno.test("each minute reports the mean wait of the jobs started in it, null when none started", async () => {
  await using store = await tempStore();
  await enqueue(store, [spec({ id: "a" }), spec({ id: "b" })]);
  await claimNext(store, { workerId: "w1", now: T0 + 100 });
  await claimNext(store, { workerId: "w1", now: T0 + 300 });
  const m = await readMetrics(store, { now: T0 + MINUTE_MS });
  assertEquals(m.per_minute.slice(-2).map((r) => r.wait_avg_ms), [200, null]);
});

Deno.test("the sweep deletes old depth samples without folding them into the totals", async () => {
  await using store = await tempStore();
  await sampleDepth(store, { now: T0 });
  strictEqual(await sweepMetrics(store, { now: T0 + 24 * 60 * MINUTE_MS }), 1);
  const m = await readMetrics(store, { now: T0 + 24 * 60 * MINUTE_MS });
  strictEqual(m.per_minute.slice(0, -1).every((r) => r.depth === null), true);
});
