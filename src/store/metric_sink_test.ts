import { deepStrictEqual as assertEquals, strictEqual } from "node:assert/strict";
import { job, T0 } from "../../tests/factory.ts";
import { minuteOf } from "../metrics.ts";
import { Tx } from "./tx.ts";
import { TallyDraft } from "./metric_tally.ts";
import { counterKeys, metricSink } from "./metric_sink.ts";
import { applyTransition } from "./transition.ts";

const MINUTE = minuteOf(T0);
const running = job({ id: "a", state: "processing", worker: "w1", started_at: T0, runs: 1 });
const done = { ...running, state: "completed" as const, finished_at: T0 + 5, updated_at: T0 + 5 };
const metricKeys = (tx: Tx) => tx.mutations.filter((m) => m.key[0] === "metric");

Deno.test("counterKeys writes a new job's enqueued counter as a minute key", () => {
  const tx = new Tx();
  counterKeys.record(tx, { before: null, after: job({ id: "a" }) });
  assertEquals(tx.mutations, [{ type: "sum", key: ["metric", "m", MINUTE, "enqueued"], n: 1n }]);
});

Deno.test("applyTransition hands its change to the sink it is given, and to counter keys by default", () => {
  const seen: unknown[] = [];
  const tx = new Tx();
  applyTransition(tx, running, done, { metrics: { record: (_tx, change) => seen.push(change) } });
  assertEquals(seen, [{ before: running, after: done }]);
  strictEqual(metricKeys(tx).length, 0, "a sink that writes nothing leaves no metric key");
  const plain = new Tx();
  applyTransition(plain, running, done);
  const withKeys = new Tx();
  applyTransition(withKeys, running, done, { metrics: counterKeys });
  assertEquals(plain.mutations, withKeys.mutations);
  strictEqual(metricKeys(plain).length > 0, true);
});

Deno.test("metricSink with a draft counts the worker's own result into the draft, not into keys", () => {
  const draft = new TallyDraft("w1", MINUTE, {}, { versionstamp: null });
  const tx = new Tx();
  metricSink(draft).record(tx, { before: running, after: done });
  assertEquals(tx.mutations, []);
  assertEquals([draft.dirty, draft.value.completed, draft.value["worker.completed"]], [
    true,
    1,
    1,
  ]);
});

Deno.test("metricSink sends what the draft cannot hold (another worker's result) to counter keys", () => {
  const draft = new TallyDraft("w2", MINUTE, {}, { versionstamp: null });
  const tx = new Tx();
  metricSink(draft).record(tx, { before: running, after: done });
  strictEqual(draft.dirty, false);
  const plain = new Tx();
  counterKeys.record(plain, { before: running, after: done });
  assertEquals(tx.mutations, plain.mutations);
  strictEqual(metricSink(), counterKeys, "without a draft it is the default");
});

Deno.test("counterKeys adds a named queue's outcome and run time as its own minute keys; a default job adds none", () => {
  const tx = new Tx();
  counterKeys.record(tx, {
    before: { ...running, queue: "build" },
    after: { ...done, queue: "build" },
  });
  assertEquals(
    metricKeys(tx).filter((m) => m.key[3] === "q"),
    [
      { type: "sum", key: ["metric", "m", MINUTE, "q", "build", "completed"], n: 1n },
      { type: "sum", key: ["metric", "m", MINUTE, "q", "build", "runs"], n: 1n },
      { type: "sum", key: ["metric", "m", MINUTE, "q", "build", "run_sum"], n: 5n },
    ],
  );
  const plain = new Tx();
  counterKeys.record(plain, { before: running, after: done });
  strictEqual(metricKeys(plain).filter((m) => m.key[3] === "q").length, 0);
  strictEqual(metricKeys(tx).length, metricKeys(plain).length + 3);
});
