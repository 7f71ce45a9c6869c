import { deepStrictEqual as assertEquals, rejects, strictEqual } from "node:assert/strict";
import {
  checkInvariants,
  counters,
  countsOf,
  enqueue,
  enqueueAndClaim,
  failure,
  rawJob,
  report,
  SETTINGS,
  spec,
  T0,
  tempStore,
} from "../../tests/factory.ts";
import { OperationError, UsageError } from "../errors.ts";
import type { Store } from "./open.ts";
import { deleteJob, purgeJobs } from "./delete.ts";
import { finishAttempt } from "./finish.ts";
import { keys } from "./keys.ts";
import { readOutput, writeOutputChunk } from "./output.ts";
import { listAttempts } from "./query.ts";

/** Enqueues, runs and completes `id` at `now`, with one stdout chunk. */
async function completed(store: Store, id: string, now = T0) {
  const c = await enqueueAndClaim(store, spec({ id }), { now });
  await writeOutputChunk(
    store,
    { id, n: 1, stream: "stdout", chunk: 0 },
    new Uint8Array([104, 105]),
  );
  const done = await finishAttempt(store, c, report(), { now, settings: SETTINGS });
  strictEqual(done?.state, "completed");
  return done;
}

Deno.test("deleteJob removes a finished job with its attempts and output", async () => {
  await using store = await tempStore();
  await completed(store, "a");
  await completed(store, "b");
  await deleteJob(store, "a");
  strictEqual((await rawJob(store, "a")).value, null);
  assertEquals(await listAttempts(store, "a"), []);
  assertEquals(await readOutput(store, "a", 1, { stream: "stdout" }), []);
  strictEqual((await readOutput(store, "b", 1, { stream: "stdout" })).length, 1, "b is untouched");
  assertEquals(await counters(store), countsOf({ completed: 1 }));
  await checkInvariants(store);
});

Deno.test("deleteJob refuses a job that is not final, and a missing one, with OperationError", async () => {
  await using store = await tempStore();
  await enqueue(store, [spec({ id: "p" }), spec({ id: "s", run_at: T0 + 1000 })]);
  await enqueueAndClaim(store, spec({ id: "r", priority: 5 }));
  for (const [id, state] of [["p", "pending"], ["s", "scheduled"], ["r", "processing"]]) {
    const before = await rawJob(store, id!);
    await rejects(
      () => deleteJob(store, id!),
      (e: unknown) =>
        e instanceof OperationError &&
        e.message === `job "${id}" is ${state}; cancel it before deleting it`,
    );
    assertEquals(await rawJob(store, id!), before);
  }
  await rejects(() => deleteJob(store, "missing"), /"missing" not found/);
  assertEquals(await counters(store), countsOf({ pending: 1, scheduled: 1, processing: 1 }));
  await checkInvariants(store);
});

Deno.test("deleteJob removes hundreds of output chunks of a job with a 128-character id", async () => {
  await using store = await tempStore();
  const id = "x".repeat(128);
  const c = await enqueueAndClaim(store, spec({ id }));
  for (let part = 0; part < 2; part++) {
    const op = store.db.kv.atomic();
    for (let chunk = part * 300; chunk < (part + 1) * 300; chunk++) {
      op.set(keys.output(id, 1, chunk % 2 ? "stderr" : "stdout", chunk), new Uint8Array(1));
    }
    await op.commit();
  }
  await finishAttempt(store, c, report(), { now: T0, settings: SETTINGS });
  await deleteJob(store, id);
  strictEqual((await store.db.list({ prefix: keys.outputs(id) }, { limit: 10 })).length, 0);
  await checkInvariants(store);
});

Deno.test("purgeJobs with before deletes older jobs in batches of 5 and stops at the first younger one", async () => {
  await using store = await tempStore({ spy: true });
  for (let i = 0; i < 12; i++) {
    await completed(store, `c${String(i).padStart(2, "0")}`, T0 + i * 1000);
  }
  const progress: number[] = [];
  const n = await purgeJobs(store, {
    state: "completed",
    before: T0 + 7000,
    onProgress: (d) => progress.push(d),
  });
  strictEqual(n, 7);
  assertEquals(progress, [5, 7]);
  strictEqual(store.stats.checks, 10);
  const { jobs } = await checkInvariants(store);
  assertEquals([...jobs.keys()].sort(), ["c07", "c08", "c09", "c10", "c11"]);
  assertEquals(await listAttempts(store, "c00"), []);
  assertEquals(await counters(store), countsOf({ completed: 5 }));
});

Deno.test("purgeJobs without before empties the state and leaves other states alone", async () => {
  await using store = await tempStore();
  for (let i = 0; i < 11; i++) {
    const c = await enqueueAndClaim(store, spec({ id: `d${i}`, max_retries: 0 }));
    await finishAttempt(store, c, failure(), { now: T0, settings: SETTINGS });
  }
  await completed(store, "keep");
  strictEqual(await purgeJobs(store, { state: "dead", max: 3 }), 3, "max bounds one sweep");
  strictEqual(await purgeJobs(store, { state: "dead" }), 8);
  strictEqual(await purgeJobs(store, { state: "dead" }), 0);
  assertEquals(await counters(store), countsOf({ completed: 1 }));
  await checkInvariants(store);
});

Deno.test("purgeJobs of a state that is not final is a UsageError", async () => {
  await using store = await tempStore();
  await enqueue(store, spec());
  for (const state of ["pending", "processing", "scheduled", "failed"] as const) {
    await rejects(() => purgeJobs(store, { state }), UsageError);
  }
  assertEquals(await counters(store), countsOf({ pending: 1 }));
  await checkInvariants(store);
});
