import { deepStrictEqual as assertEquals, strictEqual } from "node:assert/strict";
import {
  checkInvariants,
  enqueue,
  enqueueAndClaim,
  failure,
  report,
  SETTINGS,
  spec,
  T0,
  tempStore,
} from "../../tests/factory.ts";
import { cancelJob, cancelJobs } from "./cancel.ts";
import { finishAttempt } from "./finish.ts";
import { claimHooks, countHooks, finishHook } from "./hook_outbox.ts";
import { writeConfig } from "./config_store.ts";
import { readTotals } from "./metrics.ts";
import { recoverLost } from "./recover.ts";
import { propagateDone } from "./propagate.ts";

const claim = (worker: string, now: number, limit = 10) => ({ worker, now, leaseMs: 1_000, limit });

Deno.test("a final transition writes its hook entry in the same commit only while a hook is configured", async () => {
  await using store = await tempStore();
  const off = await enqueueAndClaim(store, spec({ id: "off" }));
  await finishAttempt(store, off, report(), { now: T0, settings: SETTINGS });
  strictEqual(await countHooks(store), 0);
  const on = await enqueueAndClaim(store, spec({ id: "on", max_retries: 1 }));
  // A failure that will be retried is not final: no entry.
  await finishAttempt(store, on, failure(), { now: T0, settings: SETTINGS, hooks: true });
  strictEqual(await countHooks(store), 0);
  const [hook] = await claimHooks(store, claim("w", T0));
  strictEqual(hook, undefined);
  const done = await enqueueAndClaim(store, spec({ id: "done" }));
  await finishAttempt(store, done, report(), { now: T0 + 5, settings: SETTINGS, hooks: true });
  const [entry] = await claimHooks(store, claim("w", T0 + 6));
  assertEquals([entry!.job.id, entry!.job.state, entry!.job.exit_code], ["done", "completed", 0]);
  await checkInvariants(store);
});

Deno.test("cancel reads the config: canceled jobs get entries once a hook is set, one each in bulk", async () => {
  await using store = await tempStore();
  await enqueue(store, [spec({ id: "a" }), spec({ id: "b" }), spec({ id: "c" })]);
  await cancelJob(store, "a", { now: T0 + 1 });
  strictEqual(await countHooks(store), 0);
  await writeConfig(store, "on_finish", "true");
  await cancelJob(store, "b", { now: T0 + 2 });
  await cancelJobs(store, { ids: ["c"] }, { now: T0 + 3 });
  const claimed = await claimHooks(store, claim("w", T0 + 4));
  assertEquals(claimed.map((h) => [h.job.id, h.job.state]), [["b", "canceled"], [
    "c",
    "canceled",
  ]]);
});

Deno.test("a claimed hook is not claimed again until its claim lapses, then another worker takes it", async () => {
  await using store = await tempStore();
  await enqueue(store, spec({ id: "a" }));
  await cancelJob(store, "a", { now: T0, hooks: true });
  const [first, second] = await Promise.all([
    claimHooks(store, claim("w1", T0 + 1)),
    claimHooks(store, claim("w2", T0 + 1)),
  ]);
  strictEqual(first.length + second.length, 1);
  assertEquals(await claimHooks(store, claim("w3", T0 + 999)), []);
  const [again] = await claimHooks(store, claim("w3", T0 + 1_001));
  strictEqual(again!.job.id, "a");
  // The first claimer's late acknowledgement is refused: the hook is w3's now.
  const lapsed = (first[0] ?? second[0])!;
  strictEqual(await finishHook(store, lapsed, { now: T0 + 1_002, ok: 1, failed: 0 }), false);
  strictEqual(await countHooks(store), 1);
});

Deno.test("finishing a hook deletes its entry and counts its runs in the metrics", async () => {
  await using store = await tempStore();
  await enqueue(store, [spec({ id: "a" }), spec({ id: "b" })]);
  await cancelJobs(store, { ids: ["a", "b"] }, { now: T0, hooks: true });
  const [a, b] = await claimHooks(store, claim("w", T0 + 1));
  strictEqual(await finishHook(store, a!, { now: T0 + 2, ok: 2, failed: 0 }), true);
  strictEqual(await finishHook(store, b!, { now: T0 + 2, ok: 1, failed: 1 }), true);
  strictEqual(await countHooks(store), 0);
  const totals = await readTotals(store);
  assertEquals([totals.counters.hook_ok, totals.counters.hook_failed], [3, 1]);
});

Deno.test("a recovery that sends a lost job to the DLQ, and the dependents it cancels, write hook entries", async () => {
  await using store = await tempStore();
  await enqueueAndClaim(store, spec({ id: "a", max_retries: 0 }), { workerId: "gone" });
  await enqueue(store, spec({ id: "b", after: ["a"] }));
  const recoverOptions = { now: T0 + 1, leaseMs: 10_000, settings: SETTINGS, host: "h" };
  const [r] = await recoverLost(store, { ...recoverOptions, pidAlive: () => true, hooks: true });
  strictEqual(r?.job.state, "dead");
  await propagateDone(store, "a", { now: T0 + 2, hooks: true });
  const claimed = await claimHooks(store, claim("w", T0 + 3));
  assertEquals(claimed.map((h) => [h.job.id, h.job.state]).sort(), [["a", "dead"], [
    "b",
    "canceled",
  ]]);
  await checkInvariants(store);
});
