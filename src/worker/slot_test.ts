import { strictEqual } from "node:assert/strict";
import { enqueue, job, spec, tempStore } from "../../tests/factory.ts";
import { DEFAULT_CONFIG } from "../config.ts";
import { Logger } from "../log.ts";
import { claimNext, getJob, MetricTally, releaseClaim } from "../store/mod.ts";
import { JobSettings } from "./job_setting.ts";
import { inboxVerdict, Slot, type SlotContext } from "./slot.ts";

Deno.test("inboxVerdict: a run still held is left alone, a cancel asked is canceled, a run recovered or deleted is taken over", () => {
  const held = job({ state: "processing", worker: "w1", runs: 1, attempts: 1 });
  strictEqual(inboxVerdict(held, held), null);
  strictEqual(inboxVerdict(held, { ...held, cancel_requested: true }), "canceled");
  strictEqual(inboxVerdict(held, { ...held, state: "pending", worker: null }), "taken_over");
  strictEqual(inboxVerdict(held, { ...held, runs: 2, worker: "w2" }), "taken_over");
  strictEqual(inboxVerdict(held, null), "taken_over");
});

Deno.test("a slot whose run was taken over cannot write its result, while its sibling slot of the same worker writes its own", async () => {
  await using store = await tempStore();
  const now = Date.now();
  await enqueue(store, [spec({ id: "a" }), spec({ id: "b" })], now);
  const a = await claimNext(store, { workerId: "w1", now });
  const b = await claimNext(store, { workerId: "w1", now });
  // `a` goes to another worker behind w1's back, as a recovery of a frozen worker would.
  await releaseClaim(store, a!, { now });
  const stolen = await claimNext(store, { workerId: "w2", now });
  strictEqual(stolen?.job.id, "a");
  const stop = new AbortController();
  const context: SlotContext = {
    store,
    workerId: "w1",
    signal: stop.signal,
    log: new Logger({ level: "error" }),
    tally: new MetricTally("w1"),
    settings: new JobSettings(store, "test"),
    publishSoon: () => {},
    onFinal: () => {},
  };
  const [endA, endB] = await Promise.all([
    new Slot(context).execute(a!, DEFAULT_CONFIG),
    new Slot(context).execute(b!, DEFAULT_CONFIG),
  ]);
  strictEqual(endA.written, null, "the stale run's result is refused");
  strictEqual(endB.written?.state, "completed");
  const now2 = await getJob(store, "a");
  strictEqual(now2?.state, "processing");
  strictEqual(now2?.worker, "w2", "the run that took over is untouched");
});
