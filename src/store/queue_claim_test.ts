import { deepStrictEqual as assertEquals, ok, strictEqual } from "node:assert/strict";
import {
  checkInvariants,
  enqueue,
  report,
  SETTINGS,
  spec,
  T0,
  tempStore,
} from "../../tests/factory.ts";
import { claimNext } from "./claim.ts";
import { finishAttempt } from "./finish.ts";
import { finishAndClaimNext } from "./handoff.ts";
import { keys } from "./keys.ts";
import { listQueues } from "./queue_read.ts";
import { ensureQueues, queueCache, updateQueue } from "./queue_registry.ts";
import type { QueueSettings } from "../queue.ts";
import type { Store } from "./open.ts";

const claim = (store: Store, now = T0 + 10, queues?: string[]) =>
  claimNext(store, { workerId: "w1", now, queues, random: () => 0 });

Deno.test("enqueue into a named queue records the queue on the job and makes its settings record once", async () => {
  await using store = await tempStore();
  const [a] = await enqueue(store, spec({ id: "a", queue: "build" }));
  strictEqual(a!.queue, "build");
  const first = await store.db.get<QueueSettings>(keys.queue("build"));
  assertEquals(first.value?.concurrency, null);
  await updateQueue(store, "build", (s) => ({ ...s, concurrency: 2 }), { now: T0 });
  await enqueue(store, spec({ id: "b", queue: "build" }));
  await ensureQueues(store, ["build"], T0 + 5);
  strictEqual((await store.db.get<QueueSettings>(keys.queue("build"))).value?.concurrency, 2);
  // The default queue needs no record, and a plain job's record has no queue field.
  const [d] = await enqueue(store, spec({ id: "d" }));
  strictEqual("queue" in d!, false);
  strictEqual((await store.db.get(keys.queue("default"))).value, null);
  const queues = await listQueues(store);
  assertEquals(queues.map((q) => [q.settings.name, q.counts.pending]), [["default", 1], [
    "build",
    2,
  ]]);
  await checkInvariants(store);
});

Deno.test("a worker given --queues prefers them in order; one serving all merges by priority then age", async () => {
  await using store = await tempStore();
  await enqueue(store, spec({ id: "m1", queue: "mail", priority: 5 }), T0);
  await enqueue(store, spec({ id: "b1", queue: "build" }), T0 + 1);
  await enqueue(store, spec({ id: "d1" }), T0 + 2);
  await enqueue(store, spec({ id: "b2", queue: "build", priority: 5 }), T0 + 3);
  strictEqual((await claim(store, T0 + 10, ["build", "mail"]))?.job.id, "b2");
  strictEqual((await claim(store, T0 + 10, ["build", "mail"]))?.job.id, "b1");
  strictEqual((await claim(store, T0 + 10, ["build", "mail"]))?.job.id, "m1");
  strictEqual(await claim(store, T0 + 10, ["build", "mail"]), null, "default is not served");
  strictEqual((await claim(store))?.job.id, "d1");
  await checkInvariants(store);

  await using other = await tempStore();
  await enqueue(other, spec({ id: "d1" }), T0);
  await enqueue(other, spec({ id: "m1", queue: "mail", priority: 5 }), T0 + 1);
  await enqueue(other, spec({ id: "b1", queue: "build" }), T0 + 2);
  const order: string[] = [];
  for (let c; (c = await claim(other));) order.push(c.job.id);
  assertEquals(order, ["m1", "d1", "b1"]);
});

Deno.test("a paused queue starts nothing until resumed, while other queues go on", async () => {
  await using store = await tempStore();
  await enqueue(store, [spec({ id: "b1", queue: "build" }), spec({ id: "d1" })]);
  await updateQueue(store, "build", (s) => ({ ...s, paused: true }), { now: T0 });
  strictEqual((await claim(store))?.job.id, "d1");
  strictEqual(await claim(store), null);
  await updateQueue(store, "build", (s) => ({ ...s, paused: false }), { now: T0 });
  strictEqual((await claim(store))?.job.id, "b1");
});

Deno.test("a pause committed after the registry was cached still stops the claim: its record is checked", async () => {
  await using store = await tempStore();
  await enqueue(store, spec({ id: "b1", queue: "build" }));
  await queueCache(store).read(store, T0 + 10); // Cached as not paused.
  // Paused behind the cache's back (another process).
  const current = await store.db.get<QueueSettings>(keys.queue("build"));
  await store.db.kv.set(keys.queue("build"), { ...current.value!, paused: true });
  strictEqual(await claim(store), null);
});

Deno.test("a concurrency limit holds across claims; a finished job's slot comes back, also through a handoff", async () => {
  await using store = await tempStore();
  await updateQueue(store, "build", (s) => ({ ...s, concurrency: 2 }), { now: T0 });
  await enqueue(store, ["a", "b", "c", "d"].map((id) => spec({ id, queue: "build" })));
  const a = await claim(store);
  const b = await claim(store);
  ok(a && b);
  strictEqual(await claim(store), null, "a third would pass the limit");
  const opts = { now: T0 + 20, settings: SETTINGS };
  const { next } = await finishAndClaimNext(store, a, report(), opts);
  strictEqual(next?.job.id, "c", "the handoff reuses the slot its finished job frees");
  strictEqual(await claim(store), null);
  await finishAttempt(store, b, report(), opts);
  strictEqual((await claim(store))?.job.id, "d");
  await checkInvariants(store);
});

Deno.test("a rate lets limit starts through per period, then says when the next may start", async () => {
  await using store = await tempStore();
  await updateQueue(store, "mail", (s) => ({ ...s, rate: { limit: 2, per_ms: 60_000 } }), {
    now: T0,
  });
  await enqueue(store, ["a", "b", "c"].map((id) => spec({ id, queue: "mail" })));
  ok(await claim(store, T0 + 10));
  ok(await claim(store, T0 + 20));
  strictEqual(await claim(store, T0 + 30), null);
  strictEqual(queueCache(store).retryAt, T0 + 60_010);
  strictEqual((await claim(store, T0 + 60_011))?.job.id, "c");
  const starts = await store.db.get<number[]>(keys.qstarts("mail"));
  assertEquals(starts.value, [T0 + 20, T0 + 60_011]);
  // Throttled jobs were never charged an attempt.
  strictEqual((await store.db.get<{ attempts: number }>(keys.job("c"))).value?.attempts, 1);
});
