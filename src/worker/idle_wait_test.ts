import { strictEqual } from "node:assert/strict";
import { idleWaitMs } from "./idle_wait.ts";

const base = { now: 1_000, pollMs: 500, dueAt: null, tickAt: null, retryAt: null };

Deno.test("an idle worker with nothing coming due waits the poll interval", () => {
  strictEqual(idleWaitMs(base), 500);
});

Deno.test("an idle worker wakes at the first of a due job, a schedule tick and a rate retry", () => {
  strictEqual(idleWaitMs({ ...base, dueAt: 1_300, tickAt: 1_200, retryAt: 1_400 }), 200);
  strictEqual(idleWaitMs({ ...base, retryAt: 1_050 }), 50);
  strictEqual(idleWaitMs({ ...base, dueAt: 9_000 }), 500, "the poll interval still bounds it");
});

Deno.test("a due time already past makes a 1 ms wait, not a negative one", () => {
  strictEqual(idleWaitMs({ ...base, dueAt: 10 }), 1);
});
