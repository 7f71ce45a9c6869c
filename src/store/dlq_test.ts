import { deepStrictEqual as assertEquals, ok, rejects, strictEqual } from "node:assert/strict";
import {
  checkInvariants,
  counters,
  countsOf,
  enqueue,
  enqueueAndClaim,
  failure,
  rawJob,
  SETTINGS,
  spec,
  T0,
  tempStore,
} from "../../tests/factory.ts";
import { OperationError } from "../errors.ts";
import type { Store } from "./open.ts";
import { claimNext } from "./claim.ts";
import { retryAllDead, retryDead } from "./dlq.ts";
import { finishAttempt } from "./finish.ts";
import { listAttempts } from "./query.ts";

/** Enqueues `id` with no retries and fails its only attempt, so it lands in the DLQ. */
async function deadJob(store: Store, id: string, now = T0) {
  const c = await enqueueAndClaim(store, spec({ id, max_retries: 0 }), { now });
  const dead = await finishAttempt(store, c, failure(9), { now: now + 1, settings: SETTINGS });
  strictEqual(dead?.state, "dead");
  return dead;
}

Deno.test("retryDead moves a dead job to pending with attempts reset and runs and history kept", async () => {
  await using store = await tempStore();
  const dead = await deadJob(store, "a");
  const back = await retryDead(store, "a", { now: T0 + 100 });
  assertEquals(
    [back.state, back.attempts, back.runs, back.run_at, back.last_error, back.exit_code],
    ["pending", 0, 1, T0 + 100, dead.last_error, 9],
  );
  assertEquals((await rawJob(store, "a")).value, back);
  assertEquals(await counters(store), countsOf({ pending: 1 }));
  await checkInvariants(store);

  const again = await claimNext(store, { workerId: "w2", now: T0 + 200 });
  assertEquals([again?.job.attempts, again?.job.runs], [1, 2]);
  const history = await listAttempts(store, "a");
  assertEquals(history.map((a) => [a.n, a.outcome, a.worker]), [[1, "failed", "w1"], [
    2,
    null,
    "w2",
  ]]);
  await checkInvariants(store);
});

Deno.test("retryDead of a job that is not dead or does not exist is an OperationError that changes nothing", async () => {
  await using store = await tempStore();
  await enqueue(store, spec({ id: "waiting" }));
  const before = await rawJob(store, "waiting");
  await rejects(
    () => retryDead(store, "waiting", { now: T0 }),
    (e: unknown) => e instanceof OperationError && /is pending, not in the DLQ/.test(e.message),
  );
  await rejects(
    () => retryDead(store, "nope", { now: T0 }),
    (e: unknown) => e instanceof OperationError && /"nope" not found/.test(e.message),
  );
  assertEquals(await rawJob(store, "waiting"), before);
  await checkInvariants(store);
});

Deno.test("retryAllDead requeues every dead job in batches within the remote check limit", async () => {
  await using store = await tempStore({ spy: true });
  for (let i = 0; i < 13; i++) await deadJob(store, `d${String(i).padStart(2, "0")}`, T0 + i * 10);
  await enqueue(store, spec({ id: "other" }), T0 + 500);
  const progress: number[] = [];
  const moved = await retryAllDead(store, { now: T0 + 1000, onProgress: (n) => progress.push(n) });
  strictEqual(moved, 13);
  assertEquals(progress, [5, 10, 13]);
  ok(store.stats.checks <= 10);
  assertEquals(await counters(store), countsOf({ pending: 14 }));
  const { jobs } = await checkInvariants(store);
  for (const [id, j] of jobs) {
    if (id === "other") continue;
    assertEquals([j.state, j.attempts, j.runs], ["pending", 0, 1]);
  }
  strictEqual(await retryAllDead(store, { now: T0 + 2000 }), 0, "nothing is left in the DLQ");
});
