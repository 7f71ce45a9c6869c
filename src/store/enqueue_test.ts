import { deepStrictEqual as assertEquals, ok, rejects, strictEqual } from "node:assert/strict";
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
import { OperationError, UsageError } from "../errors.ts";
import { REMOTE_LIMITS } from "./db.ts";
import { enqueueJobs, enqueueMany, newJob } from "./enqueue.ts";
import { keys } from "./keys.ts";

Deno.test("newJob is pending at now, or scheduled when run_at is later", () => {
  const now = T0;
  const pending = newJob(spec({ command: "echo hi", priority: 4 }), { now, maxRetries: 3 });
  assertEquals(
    [pending.state, pending.run_at, pending.attempts, pending.runs, pending.max_retries],
    ["pending", now, 0, 0, 3],
  );
  assertEquals([pending.command, pending.priority, pending.created_at], ["echo hi", 4, now]);
  strictEqual(newJob(spec({ run_at: now }), { now, maxRetries: 3 }).state, "pending");
  strictEqual(newJob(spec({ run_at: now - 5 }), { now, maxRetries: 3 }).state, "pending");
  const later = newJob(spec({ run_at: now + 1 }), { now, maxRetries: 3 });
  assertEquals([later.state, later.run_at], ["scheduled", now + 1]);
  strictEqual(newJob(spec({ max_retries: 0 }), { now, maxRetries: 3 }).max_retries, 0);
  strictEqual(newJob(spec({ id: "mine" }), { now, maxRetries: 3 }).id, "mine");
});

Deno.test("enqueue stores 2,500 generated-id jobs in a few check-free atomic operations, each in its indexes", async () => {
  await using store = await tempStore({ spy: true });
  const specs = Array.from(
    { length: 2500 },
    (_, i) =>
      spec({
        command: `echo ${i}`,
        priority: i % 5,
        run_at: i % 5 === 0 ? T0 + 60_000 : undefined,
      }),
  );
  const progress: number[] = [];
  const jobs = await enqueueJobs(store, specs, {
    now: T0,
    maxRetries: 3,
    onProgress: (n) => progress.push(n),
  });
  strictEqual(jobs.length, 2500);
  strictEqual(store.stats.checks, 0, "generated ids need no existence check");
  ok(store.stats.commits <= 10, `expected few atomic operations, got ${store.stats.commits}`);
  strictEqual(progress.length, store.stats.commits);
  strictEqual(progress.at(-1), 2500);
  ok(store.stats.mutations <= REMOTE_LIMITS.mutations);
  assertEquals(await counters(store), countsOf({ pending: 2000, scheduled: 500 }));
  const { jobs: stored } = await checkInvariants(store);
  strictEqual(stored.size, 2500);
  for (const j of jobs) assertEquals(stored.get(j.id), j);
});

Deno.test("enqueue of a caller id that exists fails with OperationError and writes nothing", async () => {
  await using store = await tempStore();
  await enqueue(store, spec({ id: "taken" }));
  const before = await rawJob(store, "taken");
  // 25 caller ids span several atomic operations: the check must come before any of them.
  const specs = [
    spec(),
    ...Array.from({ length: 24 }, (_, i) => spec({ id: `new-${i}` })),
    spec({ id: "taken", command: "echo other" }),
  ];
  await rejects(
    () => enqueue(store, specs, T0 + 1),
    (e: unknown) => e instanceof OperationError && /"taken" already exists/.test(e.message),
  );
  assertEquals(await rawJob(store, "taken"), before);
  strictEqual((await rawJob(store, "new-0")).value, null);
  assertEquals(await counters(store), countsOf({ pending: 1 }));
  strictEqual((await checkInvariants(store)).jobs.size, 1);
});

Deno.test("enqueue of an id repeated within one input fails with UsageError and writes nothing", async () => {
  await using store = await tempStore();
  await rejects(
    () => enqueue(store, [spec({ id: "a" }), spec(), spec({ id: "b" }), spec({ id: "a" })]),
    (e: unknown) => e instanceof UsageError && /duplicate job id "a"/.test(e.message),
  );
  assertEquals(await counters(store), countsOf({}));
  strictEqual((await checkInvariants(store)).jobs.size, 0);
});

Deno.test("enqueue checks caller-chosen ids at most 10 per atomic operation", async () => {
  await using store = await tempStore({ spy: true });
  const specs = Array.from({ length: 35 }, (_, i) => spec({ id: `job-${i}` }));
  const jobs = await enqueue(store, specs);
  assertEquals(jobs.map((j) => j.id), specs.map((s) => s.id));
  ok(store.stats.checks <= REMOTE_LIMITS.checks);
  ok(store.stats.getMany <= REMOTE_LIMITS.getMany);
  strictEqual(store.stats.commits, 4);
  assertEquals(await counters(store), countsOf({ pending: 35 }));
  await checkInvariants(store);
});

Deno.test("a delayed spec is stored as scheduled with a scheduled index entry at its run_at", async () => {
  await using store = await tempStore();
  const [j] = await enqueue(store, spec({ id: "later", run_at: T0 + 30_000 }));
  assertEquals([j!.state, j!.run_at], ["scheduled", T0 + 30_000]);
  const entry = await store.db.get<string>(keys.scheduled(T0 + 30_000, "later"));
  strictEqual(entry.value, "later");
  strictEqual((await store.db.list({ prefix: keys.readyAll }, { limit: 10 })).length, 0);
  assertEquals(await counters(store), countsOf({ scheduled: 1 }));
  await checkInvariants(store);
});

Deno.test("enqueue of large commands splits the batch under the 800 KiB operation budget", async () => {
  await using store = await tempStore({ spy: true });
  const big = "x".repeat(30 * 1024);
  const jobs = await enqueue(store, Array.from({ length: 40 }, () => spec({ command: big })));
  strictEqual(jobs.length, 40);
  ok(store.stats.commits >= 2, "40 × 30 KiB cannot go in one operation");
  assertEquals(await counters(store), countsOf({ pending: 40 }));
  await checkInvariants(store);
});

Deno.test("enqueue of 128-character caller ids among many generated ones stays within the key size limit", async () => {
  await using store = await tempStore();
  const specs = Array.from(
    { length: 1200 },
    (_, i) => i % 100 === 0 ? spec({ id: String(i).padStart(128, "k") }) : spec(),
  );
  strictEqual((await enqueue(store, specs)).length, 1200);
  assertEquals(await counters(store), countsOf({ pending: 1200 }));
  await checkInvariants(store);
});

Deno.test("enqueueMany stores a stream of spec groups, its caller ids checked free before the first write", async () => {
  await using store = await tempStore();
  await enqueue(store, spec({ id: "taken" }));
  async function* groups(last: string) {
    yield Array.from({ length: 1500 }, () => spec());
    yield [spec({ id: "mine" }), spec({ id: last })];
  }
  const options = { now: T0, maxRetries: 3 };
  await rejects(
    () =>
      enqueueMany(store, groups("taken"), { ...options, callerIds: new Set(["mine", "taken"]) }),
    (e: unknown) => e instanceof OperationError && /"taken" already exists/.test(e.message),
  );
  assertEquals(await counters(store), countsOf({ pending: 1 }), "not one batch was written");
  const n = await enqueueMany(store, groups("free"), {
    ...options,
    callerIds: new Set(["mine", "free"]),
  });
  strictEqual(n, 1502);
  assertEquals(await counters(store), countsOf({ pending: 1503 }));
  await checkInvariants(store);
});

Deno.test("enqueueMany refuses a streamed spec whose id is not among the caller ids it was given", async () => {
  await using store = await tempStore();
  async function* groups() {
    yield [spec({ id: "unlisted" })];
  }
  await rejects(
    () => enqueueMany(store, groups(), { now: T0, maxRetries: 3 }),
    (e: unknown) =>
      e instanceof TypeError && /"unlisted" is not among the callerIds/.test(e.message),
  );
  assertEquals(await counters(store), countsOf({}));
});

Deno.test("enqueue of no specs writes nothing and returns no jobs", async () => {
  await using store = await tempStore({ spy: true });
  assertEquals(await enqueue(store, []), []);
  strictEqual(store.stats.commits, 0);
  await checkInvariants(store);
});

Deno.test("enqueue takes the default max_retries for specs without one and keeps explicit ones", async () => {
  await using store = await tempStore();
  const [a, b] = await enqueueJobs(store, [spec(), spec({ max_retries: 7 })], {
    now: T0,
    maxRetries: 1,
  });
  assertEquals([a!.max_retries, b!.max_retries], [1, 7]);
  await checkInvariants(store);
});
