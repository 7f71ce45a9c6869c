import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { job, T0 } from "../../tests/factory.ts";
import { idTimePrefix } from "../ids.ts";
import { Tx } from "./db.ts";
import { keys } from "./keys.ts";
import { applyTransition, indexKeys } from "./transition.ts";

const U64_MINUS_ONE = 2n ** 64n - 1n;

/** The mutations besides the metric counters (which `store/metrics_test.ts` covers). */
const jobMutations = (tx: Tx) => tx.mutations.filter((m) => m.key[0] !== "metric");

Deno.test("indexKeys names the ready entry alone while pending, else the state entry plus scheduled while waiting", () => {
  const j = job({ id: "a", seq: "S1", priority: 7, run_at: 99 });
  assertEquals(indexKeys({ ...j, state: "pending" }), [["ready", "default", -7, "S1", "a"]]);
  assertEquals(indexKeys({ ...j, state: "scheduled" }), [
    ["state", "scheduled", "S1", "a"],
    ["scheduled", 99, "a"],
  ]);
  assertEquals(indexKeys({ ...j, state: "failed" }), [
    ["state", "failed", "S1", "a"],
    ["scheduled", 99, "a"],
  ]);
  for (const state of ["processing", "completed", "dead", "canceled"] as const) {
    assertEquals(indexKeys({ ...j, state }), [["state", state, "S1", "a"]]);
  }
});

Deno.test("indexKeys of priority 0 uses the key 0, never -0", () => {
  const [ready] = indexKeys(job({ id: "a", seq: "S", priority: 0, state: "pending" }));
  assertEquals(Object.is(ready![2], 0), true);
});

Deno.test("applyTransition of a new pending job with a generated id writes its ready entry, counters and record: two rows a job", () => {
  const id = idTimePrefix(T0) + "ABCDEFGHJKMNPQRS"; // a ULID of its creation time
  const j = job({ id, seq: "S", state: "pending", created_at: T0 });
  const tx = new Tx();
  applyTransition(tx, null, j);
  assertEquals(jobMutations(tx), [
    { type: "set", key: ["ready", "default", 0, "S", id], value: id },
    { type: "sum", key: ["count", "pending"], n: 1n },
    { type: "sum", key: ["qcount", "default", "pending"], n: 1n },
    { type: "set", key: ["job", id], value: j },
  ]);
});

Deno.test("applyTransition of a new job whose id a user picked also writes its creation entry", () => {
  const j = job({ id: "a", seq: "S", state: "pending", created_at: T0 });
  const tx = new Tx();
  applyTransition(tx, null, j);
  assertEquals(jobMutations(tx), [
    { type: "set", key: ["ready", "default", 0, "S", "a"], value: "a" },
    { type: "set", key: ["created", T0, "a"], value: "a" },
    { type: "sum", key: ["count", "pending"], n: 1n },
    { type: "sum", key: ["qcount", "default", "pending"], n: 1n },
    { type: "set", key: ["job", "a"], value: j },
  ]);
});

Deno.test("applyTransition from pending to processing moves the entries and the global and queue counters", () => {
  const before = job({ id: "a", seq: "S1", state: "pending" });
  const after = { ...before, seq: "S2", state: "processing" as const };
  const tx = new Tx();
  applyTransition(tx, before, after);
  assertEquals(jobMutations(tx), [
    { type: "delete", key: ["ready", "default", 0, "S1", "a"] },
    { type: "set", key: ["state", "processing", "S2", "a"], value: "a" },
    { type: "sum", key: ["count", "pending"], n: U64_MINUS_ONE },
    { type: "sum", key: ["qcount", "default", "pending"], n: U64_MINUS_ONE },
    { type: "sum", key: ["count", "processing"], n: 1n },
    { type: "sum", key: ["qcount", "default", "processing"], n: 1n },
    { type: "set", key: ["job", "a"], value: after },
  ]);
});

Deno.test("applyTransition within one state with the same keys only rewrites the record", () => {
  const before = job({ id: "a", seq: "S", state: "processing" });
  const after = { ...before, cancel_requested: true };
  const tx = new Tx();
  applyTransition(tx, before, after);
  assertEquals(tx.mutations, [{ type: "set", key: keys.job("a"), value: after }]);
});

Deno.test("applyTransition to null deletes the record, its entries and decrements its counters", () => {
  const before = job({ id: "a", seq: "S", state: "completed", created_at: T0 });
  const tx = new Tx();
  applyTransition(tx, before, null);
  assertEquals(tx.mutations, [
    { type: "delete", key: ["state", "completed", "S", "a"] },
    { type: "delete", key: ["created", T0, "a"] },
    { type: "sum", key: ["count", "completed"], n: U64_MINUS_ONE },
    { type: "sum", key: ["qcount", "default", "completed"], n: U64_MINUS_ONE },
    { type: "delete", key: ["job", "a"] },
  ]);
});

Deno.test("applyTransition of a failed retry rescheduled at a new time moves the scheduled entry", () => {
  const before = job({ id: "a", seq: "S1", state: "scheduled", run_at: 10 });
  const after = { ...before, seq: "S2", state: "failed" as const, run_at: 20 };
  const tx = new Tx();
  applyTransition(tx, before, after);
  const touched = tx.mutations.map((m) => [m.type, m.key]);
  assertEquals(touched, [
    ["delete", ["state", "scheduled", "S1", "a"]],
    ["delete", ["scheduled", 10, "a"]],
    ["set", ["state", "failed", "S2", "a"]],
    ["set", ["scheduled", 20, "a"]],
    ["sum", ["count", "scheduled"]],
    ["sum", ["qcount", "default", "scheduled"]],
    ["sum", ["count", "failed"]],
    ["sum", ["qcount", "default", "failed"]],
    ["set", ["job", "a"]],
  ]);
});
