import { deepStrictEqual as assertEquals, ok, strictEqual } from "node:assert/strict";
import {
  checkInvariants,
  counters,
  countsOf,
  enqueueAndClaim,
  failure,
  job,
  rawAttempt,
  rawJob,
  registerWorker,
  report,
  SETTINGS,
  spec,
  T0,
  tempStore,
} from "../../tests/factory.ts";
import type { Store } from "./open.ts";
import { cancelJob } from "./cancel.ts";
import { claimNext } from "./claim.ts";
import { finishAttempt, ownsAttempt } from "./finish.ts";
import { keys } from "./keys.ts";
import { promoteDue } from "./promote.ts";
import { recoverLost } from "./recover.ts";

const opts = (now: number) => ({ now, settings: SETTINGS });

Deno.test("a successful attempt completes the job and records its result", async () => {
  await using store = await tempStore();
  const c = await enqueueAndClaim(store, spec({ id: "a" }));
  const out = { stdout_bytes: 3, stderr_bytes: 0, truncated: false };
  const done = await finishAttempt(
    store,
    c,
    report({ duration_ms: 40, output: out }),
    opts(T0 + 40),
  );
  ok(done);
  assertEquals(
    [done.state, done.exit_code, done.last_error, done.finished_at, done.attempts, done.runs],
    ["completed", 0, null, T0 + 40, 1, 1],
  );
  assertEquals((await rawJob(store, "a")).value, done);
  assertEquals((await rawAttempt(store, "a", 1)).value, {
    n: 1,
    worker: "w1",
    started_at: T0,
    finished_at: T0 + 40,
    exit_code: 0,
    signal: null,
    outcome: "succeeded",
    error: null,
    duration_ms: 40,
    output: out,
  });
  assertEquals(await counters(store), countsOf({ completed: 1 }));
  await checkInvariants(store);
});

/** Runs the failed job `id` again: promotes it when due and claims it. */
async function retry(store: Store, id: string, now: number) {
  strictEqual(await promoteDue(store, { now }), 1);
  const c = await claimNext(store, { workerId: "w1", now });
  ok(c && c.job.id === id);
  return c;
}

Deno.test("a failed attempt schedules the retry backoff_base^k seconds later, k being the attempts so far", async () => {
  await using store = await tempStore();
  let c = await enqueueAndClaim(store, spec({ id: "a", max_retries: 5 }));
  let now = T0;
  for (const k of [1, 2, 3]) {
    now += 1000;
    const failed = await finishAttempt(store, c, failure(3), opts(now));
    ok(failed);
    assertEquals(
      [failed.state, failed.attempts, failed.run_at, failed.exit_code, failed.last_error],
      ["failed", k, now + 2 ** k * 1000, 3, "exit code 3"],
    );
    strictEqual((await store.db.get(keys.scheduled(now + 2 ** k * 1000, "a"))).value, "a");
    strictEqual(await promoteDue(store, { now: now + 2 ** k * 1000 - 1 }), 0, "not due yet");
    await checkInvariants(store);
    now += 2 ** k * 1000;
    c = await retry(store, "a", now);
  }
  assertEquals([c.job.attempts, c.job.runs], [4, 4]);
  const attempt = (await rawAttempt(store, "a", 2)).value;
  assertEquals([attempt?.outcome, attempt?.exit_code, attempt?.error], [
    "failed",
    3,
    "exit code 3",
  ]);
});

Deno.test("the retry delay is capped by backoff_max", async () => {
  await using store = await tempStore();
  const c = await enqueueAndClaim(store, spec({ id: "a" }));
  const settings = { backoff_base: 60, backoff_max: 5_000 };
  const failed = await finishAttempt(store, c, failure(), { now: T0 + 1, settings });
  assertEquals([failed?.state, failed?.run_at], ["failed", T0 + 1 + 5_000]);
  await checkInvariants(store);
});

Deno.test("a failure of the last allowed attempt sends the job to the DLQ as dead", async () => {
  await using store = await tempStore();
  const first = await enqueueAndClaim(store, spec({ id: "a", max_retries: 1 }));
  const failed = await finishAttempt(store, first, failure(), opts(T0 + 1));
  strictEqual(failed?.state, "failed");
  const second = await retry(store, "a", failed.run_at);
  const dead = await finishAttempt(store, second, failure(2), opts(failed.run_at + 5));
  ok(dead);
  assertEquals([dead.state, dead.attempts, dead.runs, dead.exit_code], ["dead", 2, 2, 2]);
  strictEqual((await store.db.list({ prefix: keys.scheduledAll }, { limit: 10 })).length, 0);
  assertEquals(await counters(store), countsOf({ dead: 1 }));
  await checkInvariants(store);
});

Deno.test("a job with max_retries 0 is dead after its first failure", async () => {
  await using store = await tempStore();
  const c = await enqueueAndClaim(store, spec({ max_retries: 0 }));
  strictEqual((await finishAttempt(store, c, failure(), opts(T0 + 1)))?.state, "dead");
  await checkInvariants(store);
});

Deno.test("a timed-out attempt counts as a failure", async () => {
  await using store = await tempStore();
  const c = await enqueueAndClaim(store, spec());
  const end = failure(0, {
    outcome: "timed_out",
    exit_code: null,
    signal: "SIGKILL",
    error: "timed out",
  });
  const j = await finishAttempt(store, c, end, opts(T0 + 1));
  assertEquals([j?.state, j?.last_error], ["failed", "timed out"]);
  strictEqual((await rawAttempt(store, c.job.id, 1)).value?.signal, "SIGKILL");
  await checkInvariants(store);
});

Deno.test("an interrupted attempt puts the job back to pending without charging the attempt", async () => {
  await using store = await tempStore();
  const c = await enqueueAndClaim(store, spec({ id: "a", max_retries: 0 }));
  const end = report({
    outcome: "interrupted",
    exit_code: null,
    signal: "SIGTERM",
    error: "worker stopped",
  });
  const back = await finishAttempt(store, c, end, opts(T0 + 7));
  ok(back);
  assertEquals([back.state, back.attempts, back.runs, back.run_at], ["pending", 0, 1, T0 + 7]);
  strictEqual((await rawAttempt(store, "a", 1)).value?.outcome, "interrupted");
  assertEquals(await counters(store), countsOf({ pending: 1 }));
  await checkInvariants(store);
  const again = await claimNext(store, { workerId: "w2", now: T0 + 8 });
  assertEquals([again?.job.id, again?.job.attempts, again?.job.runs], ["a", 1, 2]);
  await checkInvariants(store);
});

Deno.test("a cancel requested while the job runs makes its failed attempt end as canceled", async () => {
  await using store = await tempStore();
  const c = await enqueueAndClaim(store, spec({ id: "a" }));
  const requested = await cancelJob(store, "a", { now: T0 + 1 });
  assertEquals([requested.state, requested.cancel_requested], ["processing", true]);
  const killed = failure(0, { exit_code: null, signal: "SIGTERM", error: "killed" });
  const j = await finishAttempt(store, c, killed, opts(T0 + 2));
  ok(j, "a cancel request does not take the attempt from its worker");
  strictEqual(j.state, "canceled");
  strictEqual((await rawAttempt(store, "a", 1)).value?.outcome, "canceled");
  assertEquals(await counters(store), countsOf({ canceled: 1 }));
  await checkInvariants(store);
});

Deno.test("an attempt the worker reports as canceled ends the job canceled", async () => {
  await using store = await tempStore();
  const c = await enqueueAndClaim(store, spec());
  const j = await finishAttempt(
    store,
    c,
    report({ outcome: "canceled", exit_code: null, error: "canceled" }),
    opts(T0 + 1),
  );
  strictEqual(j?.state, "canceled");
  await checkInvariants(store);
});

Deno.test("a late result from a worker whose job was recovered is refused and changes nothing", async () => {
  await using store = await tempStore();
  await registerWorker(store, { id: "w1", heartbeat_at: T0 });
  const c = await enqueueAndClaim(store, spec({ id: "a" }), { workerId: "w1" });
  const recovered = await recoverLost(store, {
    now: T0 + 20_000,
    leaseMs: 10_000,
    settings: SETTINGS,
    host: "other-host",
    pidAlive: () => true,
  });
  assertEquals(recovered.map((r) => [r.job.id, r.job.state]), [["a", "failed"]]);
  const jobBefore = await rawJob(store, "a");
  const attemptBefore = await rawAttempt(store, "a", 1);
  strictEqual(attemptBefore.value?.outcome, "worker_lost");

  strictEqual(await finishAttempt(store, c, report(), opts(T0 + 21_000)), null);
  assertEquals(await rawJob(store, "a"), jobBefore);
  assertEquals(await rawAttempt(store, "a", 1), attemptBefore);
  assertEquals(await counters(store), countsOf({ failed: 1 }));
  await checkInvariants(store);
});

Deno.test("a late result cannot touch the retry another worker is running", async () => {
  await using store = await tempStore();
  const old = await enqueueAndClaim(store, spec({ id: "a" }), { workerId: "w1" });
  // w1 never registered, so the recoverer takes the job at once.
  const [lost] = await recoverLost(store, {
    now: T0 + 1,
    leaseMs: 10_000,
    settings: SETTINGS,
    host: "h",
    pidAlive: () => true,
  });
  ok(lost);
  strictEqual(await promoteDue(store, { now: lost.job.run_at }), 1);
  const fresh = await claimNext(store, { workerId: "w2", now: lost.job.run_at });
  assertEquals([fresh?.job.runs, fresh?.job.worker], [2, "w2"]);
  const jobBefore = await rawJob(store, "a");
  const attempt2 = await rawAttempt(store, "a", 2);

  strictEqual(await finishAttempt(store, old, failure(), opts(lost.job.run_at + 1)), null);
  assertEquals(await rawJob(store, "a"), jobBefore);
  assertEquals(await rawAttempt(store, "a", 2), attempt2);
  const done = await finishAttempt(store, fresh!, report(), opts(lost.job.run_at + 2));
  strictEqual(done?.state, "completed");
  await checkInvariants(store);
});

Deno.test("ownsAttempt holds only for the same worker's same run while processing", () => {
  const claimed = job({ state: "processing", worker: "w1", runs: 2 });
  ok(ownsAttempt({ ...claimed, updated_at: T0 + 5 }, claimed));
  ok(ownsAttempt({ ...claimed, cancel_requested: true }, claimed));
  ok(!ownsAttempt({ ...claimed, state: "failed" }, claimed));
  ok(!ownsAttempt({ ...claimed, worker: "w2" }, claimed));
  ok(!ownsAttempt({ ...claimed, runs: 3 }, claimed));
});
