import { deepStrictEqual as assertEquals, rejects, strictEqual } from "node:assert/strict";
import {
  checkInvariants,
  counters,
  countsOf,
  enqueue,
  rawJob,
  spec,
  T0,
  tempStore,
} from "../../tests/factory.ts";
import type { Job } from "../job.ts";
import { ConflictError, NotFoundError } from "../errors.ts";
import { Tx } from "./tx.ts";
import { transactJob } from "./transact_job.ts";

Deno.test("transactJob commits what decide returns as one transition, or deletes the job for null", async () => {
  await using store = await tempStore();
  await enqueue(store, [spec({ id: "a" }), spec({ id: "b" })]);
  const after = await transactJob(store, {
    id: "a",
    decide: (job): Job => ({ ...job, state: "canceled", updated_at: T0 + 1, finished_at: T0 + 1 }),
  });
  assertEquals((await rawJob(store, "a")).value, after);
  strictEqual(await transactJob(store, { id: "b", decide: () => null }), null);
  strictEqual((await rawJob(store, "b")).versionstamp, null);
  assertEquals(await counters(store), countsOf({ canceled: 1 }));
  await checkInvariants(store);
});

Deno.test("transactJob writes nothing when decide returns the record itself, or throws", async () => {
  await using store = await tempStore();
  await enqueue(store, spec({ id: "a" }));
  const before = await rawJob(store, "a");
  assertEquals(await transactJob(store, { id: "a", decide: (job) => job }), before.value);
  strictEqual((await rawJob(store, "a")).versionstamp, before.versionstamp);
  await rejects(
    transactJob(store, {
      id: "a",
      decide: () => {
        throw new ConflictError("no");
      },
    }),
    ConflictError,
  );
  strictEqual((await rawJob(store, "a")).versionstamp, before.versionstamp);
  await rejects(transactJob(store, { id: "nope", decide: (job) => job }), NotFoundError);
});

Deno.test("transactJob that loses to another writer reads the record again and decides on it", async () => {
  await using store = await tempStore();
  await enqueue(store, spec({ id: "a", priority: 1 }));
  const seen: number[] = [];
  const get = store.db.get.bind(store.db);
  let raced = false;
  store.db.get = async <T>(key: Deno.KvKey) => {
    const entry = await get<T>(key);
    if (!raced) {
      // Another writer changes the record between this read and the commit.
      raced = true;
      const job = entry.value as Job;
      await store.db.commit(new Tx().set(key, { ...job, priority: 2 }));
    }
    return entry;
  };
  const after = await transactJob(store, {
    id: "a",
    decide: (job) => {
      seen.push(job.priority);
      return { ...job, max_retries: 9 };
    },
  });
  assertEquals(seen, [1, 2], "decided on the stale record, then on the fresh one");
  assertEquals([after.priority, after.max_retries], [2, 9]);
  assertEquals((await rawJob(store, "a")).value, after);
});
