import { deepStrictEqual as assertEquals, rejects, strictEqual } from "node:assert/strict";
import { OperationError } from "../errors.ts";
import {
  checkInvariants,
  counters,
  enqueue,
  enqueueAndClaim,
  report,
  SETTINGS,
  spec,
  T0,
  tempStore,
} from "../../tests/factory.ts";
import { finishAttempt } from "./finish.ts";
import { countJobs, getJob, listAttempts, listJobs } from "./query.ts";

/** The ids of every pending job, paged `limit` at a time with `after`. */
async function pendingIds(store: Parameters<typeof listJobs>[0], limit: number): Promise<string[]> {
  const seen: string[] = [];
  let after: string | undefined;
  for (let page = 0; page < 10; page++) {
    const res = await listJobs(store, { state: "pending", limit, after });
    seen.push(...res.jobs.map((j) => j.id));
    if (!res.next) break;
    after = res.next;
  }
  return seen;
}

Deno.test("getJob returns the stored job, or null for an unknown id", async () => {
  await using store = await tempStore();
  const [j] = await enqueue(store, spec({ id: "a" }));
  assertEquals(await getJob(store, "a"), j);
  strictEqual(await getJob(store, "b"), null);
});

Deno.test("listJobs by state pages through the state index in transition order", async () => {
  await using store = await tempStore();
  const jobs = await enqueue(store, Array.from({ length: 7 }, (_, i) => spec({ id: `z${6 - i}` })));
  await enqueue(store, spec({ id: "s", run_at: T0 + 1 }));
  const seen = await pendingIds(store, 3);
  assertEquals(seen, jobs.map((j) => j.id), "oldest first, not by id");
  assertEquals((await listJobs(store, { state: "scheduled", limit: 10 })).jobs.map((j) => j.id), [
    "s",
  ]);
  assertEquals(await listJobs(store, { state: "dead", limit: 10 }), { jobs: [], next: null });
});

Deno.test("listJobs of pending jobs pages in claim order: higher priority first, then FIFO", async () => {
  await using store = await tempStore();
  const priorities = [0, 3, 0, -1, 3, 0];
  await enqueue(store, priorities.map((priority, i) => spec({ id: `j${i}`, priority })));
  assertEquals(await pendingIds(store, 2), ["j1", "j4", "j0", "j2", "j5", "j3"]);
});

Deno.test("listJobs without a state pages through every job by id", async () => {
  await using store = await tempStore();
  await enqueue(
    store,
    ["b", "a", "d", "c", "e"].map((id) => spec({ id, run_at: id === "d" ? T0 + 9 : undefined })),
  );
  const first = await listJobs(store, { limit: 2 });
  assertEquals([first.jobs.map((j) => j.id), first.next], [["a", "b"], "b"]);
  const second = await listJobs(store, { limit: 2, after: "b" });
  assertEquals([second.jobs.map((j) => j.id), second.next], [["c", "d"], "d"]);
  const last = await listJobs(store, { limit: 2, after: "d" });
  assertEquals([last.jobs.map((j) => j.id), last.next], [["e"], null]);
});

Deno.test("countJobs reads every state's counter, zero for states never used", async () => {
  await using store = await tempStore();
  await enqueue(store, [spec(), spec(), spec({ run_at: T0 + 5 })]);
  const c = await enqueueAndClaim(store, spec({ priority: 3 }));
  await finishAttempt(store, c, report(), { now: T0, settings: SETTINGS });
  const counts = await countJobs(store);
  assertEquals(counts, {
    held: 0,
    blocked: 0,
    scheduled: 1,
    pending: 2,
    processing: 0,
    failed: 0,
    completed: 1,
    dead: 0,
    canceled: 0,
  });
  assertEquals(counts, await counters(store));
  await checkInvariants(store);
});

Deno.test("listAttempts returns a job's attempts oldest first", async () => {
  await using store = await tempStore();
  const c = await enqueueAndClaim(store, spec({ id: "a" }), { workerId: "w9" });
  assertEquals((await listAttempts(store, "a")).map((a) => [a.n, a.worker, a.outcome]), [[
    1,
    "w9",
    null,
  ]]);
  await finishAttempt(store, c, report(), { now: T0 + 1, settings: SETTINGS });
  assertEquals((await listAttempts(store, "a")).map((a) => a.outcome), ["succeeded"]);
  assertEquals(await listAttempts(store, "none"), []);
});

Deno.test("listJobs after a job that left the state (or never existed) fails instead of restarting", async () => {
  await using store = await tempStore();
  await enqueue(store, [spec({ id: "a" }), spec({ id: "b" })]);
  await rejects(listJobs(store, { state: "pending", limit: 1, after: "nope" }), OperationError);
  await rejects(listJobs(store, { state: "dead", limit: 1, after: "a" }), /no longer dead/);
});
