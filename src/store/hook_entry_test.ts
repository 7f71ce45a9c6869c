import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { job } from "../../tests/factory.ts";
import { newHookEntry } from "./hook_entry.ts";

Deno.test("a hook entry holds the job as it ended, unclaimed", () => {
  const ended = job({ id: "a", state: "completed", after: ["p1", "p2"] });
  assertEquals(newHookEntry(ended), { job: ended, claimed_by: null, claimed_until: 0 });
});

Deno.test("a hook entry leaves out an after list long enough to take a record near the value limit", () => {
  const after = Array.from({ length: 400 }, (_, i) => `parent-${i}-${"x".repeat(100)}`);
  const entry = newHookEntry(job({ id: "a", state: "canceled", after }));
  assertEquals([entry.job.id, entry.job.after], ["a", undefined]);
});
