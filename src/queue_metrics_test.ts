import { deepStrictEqual as assertEquals, strictEqual } from "node:assert/strict";
import { job, T0 } from "../tests/factory.ts";
import { transitionEvents } from "./metrics.ts";
import {
  OTHER_QUEUES,
  queueFigures,
  queueMinute,
  queueOrder,
  queueRows,
  withDefaultQueue,
  zeroFigures,
} from "./queue_metrics.ts";

const figures = (over: Partial<ReturnType<typeof zeroFigures>>) => ({ ...zeroFigures(), ...over });

Deno.test("a named queue's finished attempt counts its outcome and run time; a default job counts nothing per queue", () => {
  const running = job({ state: "processing", started_at: T0, worker: "w1", queue: "build" });
  const done = {
    ...running,
    state: "completed" as const,
    finished_at: T0 + 40,
    updated_at: T0 + 40,
  };
  const events = transitionEvents(running, done)!;
  strictEqual(events.queue, "build");
  assertEquals(queueFigures(events), [["completed", 1], ["runs", 1], ["run_sum", 40]]);
  const plain = transitionEvents({ ...running, queue: undefined }, { ...done, queue: undefined })!;
  strictEqual(plain.queue, undefined, "the default queue's events carry no queue");
  assertEquals(queueFigures(plain), []);
  const dead = { ...done, state: "dead" as const };
  assertEquals(queueFigures(transitionEvents(running, dead)!).map(([f]) => f), [
    "dead",
    "runs",
    "run_sum",
  ]);
  const retry = { ...done, state: "failed" as const };
  assertEquals(queueFigures(transitionEvents(running, retry)!)[0], ["retried", 1]);
  assertEquals(queueFigures(transitionEvents(null, job({ queue: "build" }))!), [], "enqueue");
});

Deno.test("withDefaultQueue gives the default queue the totals less every named queue's, never below zero", () => {
  const total = figures({ completed: 10, retried: 2, dead: 1, runs: 13, run_sum: 1300 });
  const named = new Map([
    ["build", figures({ completed: 4, retried: 2, runs: 6, run_sum: 600 })],
    [OTHER_QUEUES, figures({ completed: 1, dead: 2, runs: 3, run_sum: 30 })],
  ]);
  const all = withDefaultQueue(named, total);
  assertEquals([...all.keys()], ["default", "build", OTHER_QUEUES]);
  assertEquals(all.get("default"), figures({ completed: 5, runs: 4, run_sum: 670 }));
  assertEquals(all.get("build"), named.get("build"), "named queues are kept as they are");
  const short = withDefaultQueue(
    new Map([["b", figures({ completed: 3 })]]),
    figures({ completed: 1 }),
  );
  strictEqual(short.get("default")!.completed, 0, "never below zero");
});

Deno.test("queueRows lists default first, named queues by name, the folded rest last, with jobs now from the counters", () => {
  const total = figures({ completed: 3, dead: 1, runs: 4, run_sum: 400 });
  const rows = queueRows(
    new Map([
      [OTHER_QUEUES, figures({ completed: 1, runs: 1, run_sum: 100 })],
      ["mail", figures({ completed: 1, dead: 1, runs: 2, run_sum: 100 })],
    ]),
    total,
    new Map([["zeta", { pending: 2, processing: 1, dead: 0 }], ["mail", {
      pending: 0,
      processing: 0,
      dead: 1,
    }]]),
  );
  assertEquals(rows.map((r) => r.queue), ["default", "mail", "zeta", OTHER_QUEUES]);
  assertEquals(rows[0], {
    queue: "default",
    completed: 1,
    retried: 0,
    dead: 0,
    success_rate: 1,
    run_ms: { count: 1, mean: 200 },
    pending: 0,
    running: 0,
    dlq: 0,
  });
  assertEquals([rows[1]!.success_rate, rows[1]!.run_ms.mean, rows[1]!.dlq], [0.5, 50, 1]);
  assertEquals([rows[2]!.success_rate, rows[2]!.run_ms.mean, rows[2]!.pending], [null, null, 2]);
  assertEquals(["b", OTHER_QUEUES, "default", "a"].sort(queueOrder), [
    "default",
    "a",
    "b",
    OTHER_QUEUES,
  ]);
});

Deno.test("queueMinute reads a named queue's minute as stored and derives the default queue's", () => {
  const row = { minute: T0, completed: 5, retried: 1, dead: 1 };
  const named = new Map([["build", figures({ completed: 2, dead: 1, runs: 3 })]]);
  assertEquals(queueMinute(row, named, "build"), { minute: T0, completed: 2, retried: 0, dead: 1 });
  assertEquals(queueMinute(row, named, "default"), {
    minute: T0,
    completed: 3,
    retried: 1,
    dead: 0,
  });
  assertEquals(queueMinute(row, undefined, "mail"), {
    minute: T0,
    completed: 0,
    retried: 0,
    dead: 0,
  });
});
