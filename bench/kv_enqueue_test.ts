import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { newJob } from "../src/store/new_job.ts";
import { applyTransition } from "../src/store/transition.ts";
import { Tx } from "../src/store/tx.ts";
import { enqueueWrites } from "./kv_enqueue.ts";

Deno.test("the bare-KV baseline writes what the store writes for one new pending job", () => {
  const job = newJob({ command: "true", priority: 0, timeout: null }, {
    now: Date.now(),
    maxRetries: 3,
  });
  const tx = new Tx();
  applyTransition(tx, null, job);
  assertEquals(enqueueWrites(job), tx.mutations);
});
