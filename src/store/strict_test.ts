import { deepStrictEqual as assertEquals, ok, strictEqual } from "node:assert/strict";
import {
  checkInvariants,
  counters,
  countsOf,
  enqueue,
  failure,
  registerWorker,
  report,
  SETTINGS,
  spec,
  T0,
  tempStore,
} from "../../tests/factory.ts";
import { REMOTE_LIMITS } from "./db.ts";
import {
  cancelJob,
  claimNext,
  countJobs,
  deleteJob,
  finishAttempt,
  listAttempts,
  listJobs,
  listWorkers,
  nextDueAt,
  promoteDue,
  purgeJobs,
  readConfig,
  readOutput,
  recoverLost,
  resetConfig,
  retryAllDead,
  retryDead,
  writeConfig,
  writeOutputChunk,
} from "./mod.ts";

Deno.test("every store operation stays within the remote KV limits under strict mode", async () => {
  await using store = await tempStore({ strict: true, spy: true });
  const now = T0;
  // Enqueue: 2,500 generated ids and 150 delayed.
  await enqueue(store, Array.from({ length: 2500 }, (_, i) => spec({ priority: i % 4 })), now);
  await enqueue(store, Array.from({ length: 150 }, () => spec({ run_at: now + 10 })), now);

  // Claim and finish: successes, retries, DLQ.
  const claimed = [];
  for (let i = 0; i < 40; i++) claimed.push((await claimNext(store, { workerId: "w1", now }))!);
  ok(claimed.every(Boolean));
  for (const [i, c] of claimed.entries()) {
    const end = i % 2 ? report() : failure();
    await finishAttempt(store, c, end, { now: now + 1, settings: SETTINGS });
  }
  await writeOutputChunk(
    store,
    { id: claimed[1]!.job.id, n: 1, stream: "stdout", chunk: 0 },
    new Uint8Array(10),
  );
  assertEquals((await readOutput(store, claimed[1]!.job.id, 1, { stream: "stdout" })).length, 1);

  // Promote more than one call's worth, and recover lost workers' jobs.
  strictEqual(await promoteDue(store, { now: now + 100_000 }), 100);
  strictEqual(await promoteDue(store, { now: now + 100_000 }), 70);
  strictEqual(await nextDueAt(store), null);
  await registerWorker(store, { id: "w2", heartbeat_at: now });
  for (let i = 0; i < 30; i++) await claimNext(store, { workerId: i % 2 ? "w2" : "gone", now });
  const lost = await recoverLost(store, {
    now: now + 60_000,
    leaseMs: 10_000,
    settings: SETTINGS,
    host: "elsewhere",
    pidAlive: () => true,
  });
  strictEqual(lost.length, 30);

  // The DLQ: 25 caller-id jobs without retries, first in line.
  const mineSpecs = Array.from(
    { length: 25 },
    (_, i) => spec({ id: `mine-${i}`, priority: 10, max_retries: 0 }),
  );
  await enqueue(store, mineSpecs, now);
  const mine = (await listJobs(store, { limit: 1000, after: "mine" })).jobs.filter((j) =>
    j.id.startsWith("mine-")
  );
  strictEqual(mine.length, 25);
  for (let i = 0; i < 25; i++) {
    const c = await claimNext(store, { workerId: "w3", now: now + 200_000 });
    await finishAttempt(store, c!, failure(), { now: now + 200_000, settings: SETTINGS });
  }
  const dead = (await countJobs(store)).dead;
  strictEqual(dead, 25);
  await retryDead(store, (await listJobs(store, { state: "dead", limit: 1 })).jobs[0]!.id, { now });
  strictEqual(await retryAllDead(store, { now }), dead - 1);

  // Cancel, delete, purge, queries, config, workers.
  const pending = (await listJobs(store, { state: "pending", limit: 1000 })).jobs;
  strictEqual(pending.length, 1000);
  for (const j of pending.slice(0, 12)) await cancelJob(store, j.id, { now: now + 1 });
  await deleteJob(store, pending[0]!.id);
  strictEqual(await purgeJobs(store, { state: "canceled" }), 11);
  strictEqual(await purgeJobs(store, { state: "completed", before: now + 2 }), 20);
  ok((await listAttempts(store, claimed[0]!.job.id)).length >= 1);
  await writeConfig(store, "max_retries", 4);
  strictEqual((await readConfig(store)).max_retries, 4);
  await resetConfig(store);
  strictEqual((await listWorkers(store)).length, 1);

  const { counts } = await checkInvariants(store);
  assertEquals(await countJobs(store), counts);
  assertEquals(await counters(store), countsOf(counts));
  const { stats } = store;
  ok(stats.checks <= REMOTE_LIMITS.checks, `checks ${stats.checks}`);
  ok(stats.mutations <= REMOTE_LIMITS.mutations, `mutations ${stats.mutations}`);
  ok(stats.getMany <= REMOTE_LIMITS.getMany, `getMany ${stats.getMany}`);
  ok(stats.list <= REMOTE_LIMITS.listLimit, `list ${stats.list}`);
});
