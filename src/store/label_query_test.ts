import assert from "node:assert/strict";
import { enqueue, spec, T0, tempStore } from "../../tests/factory.ts";
import { countLabeled, LABEL_SCAN, listLabeled } from "./label_query.ts";
import { cancelJobs } from "./cancel.ts";

Deno.test("listLabeled pages oldest enqueued first and filters by state", async () => {
  await using store = await tempStore();
  const seven = { batch: "7" };
  const [a, b, c] = [
    ...await enqueue(store, spec({ labels: seven }), T0),
    ...await enqueue(store, spec({ labels: seven, run_at: T0 + 3_600_000 }), T0 + 1),
    ...await enqueue(store, spec({ labels: seven }), T0 + 2),
  ];
  await enqueue(store, spec({ labels: { batch: "8" } }), T0 + 3);
  const first = await listLabeled(store, { label: ["batch", "7"], limit: 2 });
  assert.deepEqual(first.jobs.map((j) => j.id), [a!.id, b!.id]);
  const rest = await listLabeled(store, { label: ["batch", "7"], limit: 2, after: first.next! });
  assert.deepEqual([rest.jobs.map((j) => j.id), rest.next], [[c!.id], null]);
  const pending = await listLabeled(store, { label: ["batch", "7"], state: "pending", limit: 10 });
  assert.deepEqual(pending.jobs.map((j) => j.id), [a!.id, c!.id]);
  assert.deepEqual(
    await countLabeled(store, ["batch", "7"]),
    {
      held: 0,
      blocked: 0,
      scheduled: 1,
      pending: 2,
      processing: 0,
      failed: 0,
      completed: 0,
      dead: 0,
      canceled: 0,
    },
  );
});

Deno.test("listLabeled with a rare state stops after LABEL_SCAN entries and offers to go on", async () => {
  await using store = await tempStore();
  const labels = { big: "1" };
  await enqueue(store, Array.from({ length: LABEL_SCAN + 10 }, () => spec({ labels })));
  const [last] = await enqueue(store, spec({ labels }), T0 + 1);
  await cancelJobs(store, { ids: [last!.id] }, { now: T0 + 2 });
  const page = await listLabeled(store, { label: ["big", "1"], state: "canceled", limit: 5 });
  assert.deepEqual(page.jobs, []);
  assert.ok(page.next);
  const more = await listLabeled(store, {
    label: ["big", "1"],
    state: "canceled",
    limit: 5,
    after: page.next,
  });
  assert.deepEqual([more.jobs.map((j) => j.id), more.next], [[last!.id], null]);
});
