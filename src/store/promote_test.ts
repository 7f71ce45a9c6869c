import { deepStrictEqual as assertEquals, ok, strictEqual } from "node:assert/strict";
import {
  checkInvariants,
  counters,
  countsOf,
  enqueue,
  enqueueAndClaim,
  failure,
  rawJob,
  reopen,
  SETTINGS,
  spec,
  T0,
  tempStore,
} from "../../tests/factory.ts";
import { finishAttempt } from "./finish.ts";
import { keys } from "./keys.ts";
import { nextDueAt, promoteDue } from "./promote.ts";

Deno.test("promoteDue moves due scheduled and failed jobs to ready and leaves later ones waiting", async () => {
  await using store = await tempStore();
  const c = await enqueueAndClaim(store, spec({ id: "retry" }));
  const failed = await finishAttempt(store, c, failure(), { now: T0, settings: SETTINGS });
  strictEqual(failed?.run_at, T0 + 2000);
  await enqueue(store, [
    spec({ id: "early", run_at: T0 + 1000 }),
    spec({ id: "exact", run_at: T0 + 2000 }),
    spec({ id: "late", run_at: T0 + 2001 }),
  ]);
  strictEqual(await promoteDue(store, { now: T0 + 2000 }), 3);
  const states = await Promise.all(
    ["retry", "early", "exact", "late"].map(async (id) => (await rawJob(store, id)).value?.state),
  );
  assertEquals(states, ["pending", "pending", "pending", "scheduled"]);
  const promoted = (await rawJob(store, "retry")).value!;
  assertEquals([promoted.attempts, promoted.updated_at], [1, T0 + 2000], "attempts are kept");
  assertEquals(await counters(store), countsOf({ pending: 3, scheduled: 1 }));
  strictEqual(await promoteDue(store, { now: T0 + 2000 }), 0, "a second pass finds nothing");
  await checkInvariants(store);
});

Deno.test("promoteDue moves at most limit jobs per call, earliest first", async () => {
  await using store = await tempStore();
  await enqueue(
    store,
    Array.from({ length: 12 }, (_, i) => spec({ id: `j${i}`, run_at: T0 + 100 + i })),
  );
  strictEqual(await promoteDue(store, { now: T0 + 1000, limit: 5 }), 5);
  const ready = await store.db.list<string>({ prefix: keys.readyAll }, { limit: 100 });
  assertEquals(ready.map((e) => e.value), ["j0", "j1", "j2", "j3", "j4"]);
  strictEqual(await promoteDue(store, { now: T0 + 1000 }), 7);
  await checkInvariants(store);
});

Deno.test("concurrent promoters on several handles move each due job to ready exactly once", async () => {
  await using store = await tempStore();
  await enqueue(store, Array.from({ length: 40 }, (_, i) => spec({ run_at: T0 + 10 + (i % 4) })));
  await enqueue(store, Array.from({ length: 5 }, () => spec({ run_at: T0 + 10_000 })));
  await using other1 = await reopen(store);
  await using other2 = await reopen(store);
  const now = T0 + 100;
  const moved = await Promise.all([
    promoteDue(store, { now }),
    promoteDue(store, { now }),
    promoteDue(other1, { now }),
    promoteDue(other2, { now }),
  ]);
  strictEqual(moved.reduce((a, b) => a + b, 0), 40, `moved per promoter: ${moved}`);
  assertEquals(await counters(store), countsOf({ pending: 40, scheduled: 5 }));
  await checkInvariants(store);
});

Deno.test("nextDueAt is null with nothing scheduled and otherwise the earliest run_at", async () => {
  await using store = await tempStore();
  strictEqual(await nextDueAt(store), null);
  await enqueue(store, [spec({ run_at: T0 + 500 }), spec({ run_at: T0 + 200 }), spec()]);
  strictEqual(await nextDueAt(store), T0 + 200);
  const c = await enqueueAndClaim(store, spec({ priority: 9 }));
  await finishAttempt(store, c, failure(), { now: T0 - 10_000, settings: SETTINGS });
  strictEqual(await nextDueAt(store), T0 - 8_000, "a failed job's retry counts too");
  ok(await promoteDue(store, { now: T0 + 1000 }));
  strictEqual(await nextDueAt(store), null);
  await checkInvariants(store);
});
