import assert from "node:assert/strict";
import { enqueue, reopen, spec, T0, tempStore } from "../../tests/factory.ts";
import { bulkTransition } from "./bulk.ts";
import { cancelJob, cancelJobs } from "./cancel.ts";
import { deleteJobs } from "./delete.ts";
import { countJobs } from "./query.ts";
import { keys } from "./keys.ts";
import { checkStore } from "./doctor.ts";

Deno.test("bulkTransition keeps to ten checks per operation on a strict store", async () => {
  await using store = await tempStore({ spy: true });
  await enqueue(store, Array.from({ length: 45 }, () => spec({ run_at: T0 + 3_600_000 })));
  const r = await cancelJobs(store, { state: "scheduled" }, { now: T0 + 1 });
  assert.equal(r.byState.canceled, 45);
  assert.ok(store.stats.checks <= 10, `largest op had ${store.stats.checks} checks`);
  assert.equal((await countJobs(store)).canceled, 45);
});

Deno.test("a group that lost a race is read and decided again", async () => {
  await using store = await tempStore();
  await using other = await reopen(store);
  const jobs = await enqueue(store, Array.from({ length: 5 }, () => spec()));
  const commit = store.db.commit.bind(store.db);
  let raced = false;
  store.db.commit = async (tx) => {
    if (!raced) {
      raced = true;
      await cancelJob(other, jobs[2]!.id, { now: T0 + 1 }); // moves a job the group read
    }
    return await commit(tx);
  };
  const r = await bulkTransition(store, { ids: jobs.map((j) => j.id) }, {
    decide: (job) => job.state === "pending" ? { ...job, priority: 9 } : undefined,
  });
  assert.deepEqual([r.changed, r.skipped], [4, 1]);
});

Deno.test("a group too big for one operation (many labels) is split in halves", async () => {
  await using store = await tempStore({ strict: false });
  const labels = Object.fromEntries(Array.from({ length: 16 }, (_, i) => [`k${i}`, "v"]));
  const jobs = await enqueue(store, Array.from({ length: 100 }, () => spec({ labels })));
  await cancelJobs(store, { ids: jobs.map((j) => j.id) }, { now: T0 + 1 });
  const r = await deleteJobs(store, { label: ["k3", "v"] });
  assert.equal(r.byState.deleted, 100);
  assert.equal((await store.db.list({ prefix: keys.labels }, { limit: 10 })).length, 0);
  const { violations } = await checkStore(store, { now: T0, leaseMs: 10_000 });
  assert.deepEqual(violations, []);
});
