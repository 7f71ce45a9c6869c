import { deepStrictEqual as assertEquals, strictEqual } from "node:assert/strict";
import { enqueue, report, SETTINGS, spec, T0, tempStore } from "../../tests/factory.ts";
import { claimNext } from "./claim.ts";
import { finishAttempt } from "./finish.ts";
import { finishBatch } from "./finish_batch.ts";
import { finishAndClaimNext } from "./handoff.ts";
import { updateQueue } from "./queue_registry.ts";
import type { Store } from "./open.ts";

const claim = (store: Store, now = T0 + 10) =>
  claimNext(store, { workerId: "w1", now, random: () => 0 });

/** Counts the doorbell's rings from here on. */
function countRings(store: Store): { n: number } {
  const rings = { n: 0 };
  const ring = store.doorbell.ring.bind(store.doorbell);
  store.doorbell.ring = () => {
    rings.n++;
    return ring();
  };
  return rings;
}

Deno.test("an end that frees room in a queue with a concurrency limit rings the doorbell for held-back workers; one in a queue without a limit does not", async () => {
  await using store = await tempStore();
  await updateQueue(store, "build", (s) => ({ ...s, concurrency: 1 }), { now: T0 });
  await enqueue(store, [spec({ id: "b1", queue: "build" }), spec({ id: "p1" })]);
  const b1 = await claim(store);
  const p1 = await claim(store);
  assertEquals([b1?.job.id, p1?.job.id], ["b1", "p1"]);
  const rings = countRings(store);
  await finishAttempt(store, p1!, report(), { now: T0 + 20, settings: SETTINGS });
  strictEqual(rings.n, 0, "the default queue has no limit: nobody waits for its room");
  await finishAttempt(store, b1!, report(), { now: T0 + 20, settings: SETTINGS });
  strictEqual(rings.n, 1, "build's one place is free again");
});

Deno.test("a handoff that takes the freed place itself rings nothing; a batch whose ends free more than it claims rings once", async () => {
  await using store = await tempStore();
  await updateQueue(store, "build", (s) => ({ ...s, concurrency: 2 }), { now: T0 });
  await enqueue(store, ["a", "b", "c"].map((id) => spec({ id, queue: "build" })));
  const a = await claim(store);
  const b = await claim(store);
  const rings = countRings(store);
  const handed = await finishAndClaimNext(store, a!, report(), {
    now: T0 + 20,
    settings: SETTINGS,
  });
  assertEquals([handed.job?.state, handed.next?.job.id, rings.n], ["completed", "c", 0]);
  // Two ends, and one claim wanted, but nothing is left to claim: both places free up.
  const out = await finishBatch(store, [
    { claimed: b!, report: report() },
    { claimed: handed.next!, report: report() },
  ], { now: T0 + 30, settings: SETTINGS, workerId: "w1", claims: 1 });
  assertEquals([out.together, out.next.length, rings.n], [true, 0, 1]);
});
