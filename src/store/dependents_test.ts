import { deepStrictEqual, equal, rejects } from "node:assert/strict";
import { NotFoundError } from "../errors.ts";
import type { JobSpec } from "../spec.ts";
import { spec, T0, tempStore } from "../../tests/factory.ts";
import { enqueueMany } from "./enqueue.ts";
import { keys } from "./keys.ts";
import type { Job } from "../job.ts";

async function* streamOf(specs: JobSpec[]): AsyncGenerator<JobSpec[]> {
  yield specs;
}

Deno.test("a chain in one streamed input is stored, each job after one stored before it", async () => {
  await using store = await tempStore();
  const parents = Array.from({ length: 10 }, (_, i) => `p${i}`);
  const specs = [
    ...parents.map((id) => spec({ id })),
    spec({ id: "hub", after: parents }), // more than fit one operation
    spec({ id: "b", after: ["hub"] }),
    spec({ id: "c", after: ["b"] }),
  ];
  const n = await enqueueMany(store, streamOf(specs), {
    now: T0,
    maxRetries: 3,
    callerIds: new Set([...parents, "hub", "b", "c"]),
  });
  equal(n, 13);
  const got = await store.db.getMany<Job>(["p9", "hub", "b", "c"].map(keys.job));
  deepStrictEqual(got.map((e) => e.value?.state), ["pending", "blocked", "blocked", "blocked"]);
  deepStrictEqual(got.map((e) => e.value?.dependents ?? false), [true, true, true, false]);
  equal(got[1]!.value?.blocked_on, 10);
});

Deno.test("1,000 jobs after one share operations, each with its edge", async () => {
  await using store = await tempStore();
  const specs = [
    spec({ id: "a" }),
    ...Array.from({ length: 1000 }, () => spec({ after: ["a"] })),
  ];
  await enqueueMany(store, specs, { now: T0, maxRetries: 3 });
  const edges = await store.db.list({ prefix: keys.deps("a") }, { limit: 1000 });
  equal(edges.length, 1000);
  equal(Number((await store.db.get<Deno.KvU64>(keys.count("blocked"))).value?.value), 1000);
});

Deno.test("a dependency that does not exist stores nothing", async () => {
  await using store = await tempStore();
  await rejects(
    enqueueMany(store, [spec({ id: "x" }), spec({ after: ["ghost"] })], { now: T0, maxRetries: 3 }),
    NotFoundError,
  );
  equal((await store.db.get(keys.job("x"))).value, null);
});
