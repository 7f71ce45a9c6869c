import { deepStrictEqual as assertEquals, strictEqual } from "node:assert/strict";
import { enqueue, spec, T0, type TempStore, tempStore } from "../../tests/factory.ts";
import { minuteOf } from "../metrics.ts";
import type { Job } from "../job.ts";
import { Tx } from "./tx.ts";
import { keys } from "./keys.ts";
import { MetricTally } from "./metric_tally.ts";
import { applyTransition } from "./transition.ts";
import { commitCounted } from "./counted_commit.ts";

/** Cancels job `a` at `now` through commitCounted, checking the record as read. */
async function cancelA(
  store: TempStore,
  options: { now: number; tally?: MetricTally; stale?: boolean },
) {
  const current = await store.db.get<Job>(keys.job("a"));
  const before = current.value!;
  const stamp = options.stale ? "00000000000000000000" : current.versionstamp;
  const tx = new Tx().check(current.key, stamp);
  return await commitCounted(store, {
    tx,
    now: options.now,
    tally: options.tally,
    build: (metrics) => {
      const after: Job = { ...before, state: "canceled", updated_at: options.now };
      applyTransition(tx, before, after, { metrics });
      return after.state;
    },
  });
}

Deno.test("commitCounted commits what build added and returns its value; without a tally the counts are keys", async () => {
  await using store = await tempStore();
  await enqueue(store, spec({ id: "a" }));
  const { value, versionstamp } = await cancelA(store, { now: T0 + 1 });
  assertEquals([value, versionstamp !== null], ["canceled", true]);
  strictEqual((await store.db.get<Job>(keys.job("a"))).value?.state, "canceled");
  const counter = await store.db.get(keys.metricMinute(minuteOf(T0 + 1), "canceled"));
  assertEquals(counter.value, new Deno.KvU64(1n));
});

Deno.test("commitCounted writes a worker's tally in the same commit, and a failed check writes neither", async () => {
  await using store = await tempStore();
  await enqueue(store, spec({ id: "a" }));
  const tally = new MetricTally("w1");
  const tallyKey = keys.metricTally(minuteOf(T0 + 1), "w1");
  const lost = await cancelA(store, { now: T0 + 1, tally, stale: true });
  strictEqual(lost.versionstamp, null);
  strictEqual((await store.db.get<Job>(keys.job("a"))).value?.state, "pending");
  strictEqual((await store.db.get(tallyKey)).versionstamp, null, "no tally without the change");
  const won = await cancelA(store, { now: T0 + 1, tally });
  strictEqual((await store.db.get(tallyKey)).versionstamp, won.versionstamp);
  assertEquals((await store.db.get(tallyKey)).value, { canceled: 1 });
  const counter = await store.db.get(keys.metricMinute(minuteOf(T0 + 1), "canceled"));
  strictEqual(counter.versionstamp, null, "the tally holds the count, not a counter key");
});

Deno.test("commits that share a tally (a worker's slots) take turns, so side by side they all succeed and all count", async () => {
  await using store = await tempStore();
  const ids = ["a", "b", "c", "d"];
  await enqueue(store, ids.map((id) => spec({ id })));
  const tally = new MetricTally("w1");
  const now = T0 + 1;
  const results = await Promise.all(ids.map(async (id) => {
    const current = await store.db.get<Job>(keys.job(id));
    const before = current.value!;
    const tx = new Tx().check(current.key, current.versionstamp);
    return await commitCounted(store, {
      tx,
      now,
      tally,
      build: (metrics) => {
        applyTransition(tx, before, { ...before, state: "canceled", updated_at: now }, { metrics });
      },
    });
  }));
  assertEquals(results.map((r) => r.versionstamp !== null), [true, true, true, true]);
  const stored = await store.db.get(keys.metricTally(minuteOf(now), "w1"));
  assertEquals(stored.value, { canceled: 4 });
});
