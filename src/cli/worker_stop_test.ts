import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { workerRecord } from "../../tests/factory.ts";
import { planStop } from "./worker_stop.ts";

Deno.test("local workers are signalled through their supervisor, once; other hosts are asked in the database", () => {
  const alive = new Set([10, 11, 12, 20, 30]);
  const plan = planStop([
    workerRecord({ id: "a", host: "here", pid: 11, supervisor: 10 }),
    workerRecord({ id: "b", host: "here", pid: 12, supervisor: 10 }),
    workerRecord({ id: "c", host: "here", pid: 20, supervisor: null }),
    // Its supervisor is gone: the worker itself gets the signal.
    workerRecord({ id: "d", host: "here", pid: 30, supervisor: 99 }),
    workerRecord({ id: "e", host: "there", pid: 11, supervisor: 10 }),
  ], { host: "here", alive: (pid) => alive.has(pid) });
  assertEquals([...plan.signal], [10, 20, 30]);
  assertEquals(plan.request.map((w) => w.id), ["e"]);
  assertEquals(plan.stale, []);
});

Deno.test("a dead worker's entry is stale, and its living supervisor, which restarts it, is signalled", () => {
  const plan = planStop([
    workerRecord({ id: "a", host: "here", pid: 11, supervisor: 10 }),
    workerRecord({ id: "b", host: "here", pid: 12, supervisor: 99 }),
  ], { host: "here", alive: (pid) => pid === 10 });
  assertEquals([...plan.signal], [10]);
  assertEquals(plan.stale.map((w) => w.id), ["a", "b"]);
});
