import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { queueCounts, queueViolations } from "./queue_invariants.ts";
import { defaultSettings } from "./queue.ts";
import { job } from "../tests/factory.ts";

Deno.test("queueCounts counts each queue's jobs per state, a job without a queue in default", () => {
  const counts = queueCounts([
    job({ id: "a", state: "pending" }),
    job({ id: "b", state: "processing", queue: "build" }),
    job({ id: "c", state: "processing", queue: "build" }),
  ]);
  assertEquals([counts.get("default")?.pending, counts.get("build")?.processing], [1, 2]);
});

Deno.test("queueViolations finds a counter that differs from its queue's jobs and a queue over its limit", () => {
  const jobs = [
    job({ id: "b", state: "processing", queue: "build" }),
    job({ id: "c", state: "processing", queue: "build" }),
  ];
  const settings = new Map([["build", { ...defaultSettings("build", 0), concurrency: 1 }]]);
  const found = queueViolations(
    jobs,
    new Map([["build", { processing: 2, pending: 1 }]]),
    settings,
  );
  assertEquals(found.map((v) => v.kind), ["queue_counter_mismatch", "queue_over_limit"]);
  assertEquals(
    found[0]!.detail,
    "queue build's counter pending is 1 but 0 of its jobs are pending",
  );
  assertEquals(queueViolations(jobs, new Map([["build", { processing: 2 }]]), new Map()), []);
});
