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
import { OperationError } from "../errors.ts";
import { cancelJob } from "./cancel.ts";
import { claimNext } from "./claim.ts";
import { finishAttempt } from "./finish.ts";
import { promoteDue } from "./promote.ts";

Deno.test("cancel of a pending job cancels it at once and it can no longer be claimed", async () => {
  await using store = await tempStore();
  await enqueue(store, spec({ id: "a" }));
  const j = await cancelJob(store, "a", { now: T0 + 5 });
  assertEquals([j.state, j.finished_at, j.updated_at], ["canceled", T0 + 5, T0 + 5]);
  assertEquals((await rawJob(store, "a")).value, j);
  strictEqual(await claimNext(store, { workerId: "w1", now: T0 + 6 }), null);
  assertEquals(await counters(store), countsOf({ canceled: 1 }));
  await checkInvariants(store);
});

Deno.test("cancel of a scheduled or failed job removes its scheduled entry so it is never promoted", async () => {
  await using store = await tempStore();
  await enqueue(store, spec({ id: "later", run_at: T0 + 1000 }));
  const c = await enqueueAndClaim(store, spec({ id: "retrying" }));
  await finishAttempt(store, c, failure(), { now: T0, settings: SETTINGS });
  strictEqual((await cancelJob(store, "later", { now: T0 + 1 })).state, "canceled");
  strictEqual((await cancelJob(store, "retrying", { now: T0 + 1 })).state, "canceled");
  strictEqual(await promoteDue(store, { now: T0 + 1_000_000 }), 0);
  assertEquals(await counters(store), countsOf({ canceled: 2 }));
  await checkInvariants(store);
});

Deno.test("cancel of a processing job only flags cancel_requested, and a second cancel changes nothing", async () => {
  await using store = await tempStore();
  const c = await enqueueAndClaim(store, spec({ id: "a" }));
  const j = await cancelJob(store, "a", { now: T0 + 3 });
  assertEquals([j.state, j.cancel_requested, j.worker, j.seq], [
    "processing",
    true,
    "w1",
    c.job.seq,
  ]);
  const stored = await rawJob(store, "a");
  assertEquals(stored.value, j);
  assertEquals(await cancelJob(store, "a", { now: T0 + 4 }), j);
  strictEqual((await rawJob(store, "a")).versionstamp, stored.versionstamp);
  assertEquals(await counters(store), countsOf({ processing: 1 }));
  await checkInvariants(store);
});

Deno.test("cancel of a completed, dead or canceled job is an OperationError that changes nothing", async () => {
  await using store = await tempStore();
  const done = await enqueueAndClaim(store, spec({ id: "done" }));
  await finishAttempt(store, done, report(), { now: T0 + 1, settings: SETTINGS });
  const dead = await enqueueAndClaim(store, spec({ id: "dead", max_retries: 0 }));
  await finishAttempt(store, dead, failure(), { now: T0 + 1, settings: SETTINGS });
  await enqueue(store, spec({ id: "canceled" }));
  await cancelJob(store, "canceled", { now: T0 + 1 });
  for (const [id, state] of [["done", "completed"], ["dead", "dead"], ["canceled", "canceled"]]) {
    const before = await rawJob(store, id!);
    await rejects(
      () => cancelJob(store, id!, { now: T0 + 2 }),
      (e: unknown) =>
        e instanceof OperationError &&
        e.message === `job "${id}" is ${state} and cannot be canceled`,
    );
    assertEquals(await rawJob(store, id!), before);
  }
  await rejects(() => cancelJob(store, "missing", { now: T0 }), OperationError);
  assertEquals(await counters(store), countsOf({ completed: 1, dead: 1, canceled: 1 }));
  await checkInvariants(store);
});
