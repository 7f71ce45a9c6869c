import { deepStrictEqual as assertEquals, ok, strictEqual } from "node:assert/strict";
import {
  checkInvariants,
  counters,
  countsOf,
  enqueue,
  rawAttempt,
  reopen,
  spec,
  T0,
  tempStore,
} from "../../tests/factory.ts";
import type { Store } from "./open.ts";
import { claimNext, claimOrder, noteLostRace, readCandidates } from "./claim.ts";
import { keys } from "./keys.ts";

Deno.test("claimOrder of no candidates is empty", () => {
  assertEquals(claimOrder([], () => 0.5), []);
});

Deno.test("claimOrder tries the oldest first, then the rest of the equal-priority head from a random place", () => {
  assertEquals(claimOrder([0, 0, 0, 5], () => 0.5), [0, 2, 1, 3]);
  assertEquals(claimOrder([0, 0, 0, 5], () => 0), [0, 1, 2, 3]);
  assertEquals(claimOrder([0, 0, 0, 5], () => 0.99), [0, 2, 1, 3]);
});

Deno.test("claimOrder tries a lone highest-priority candidate first whatever the random draw", () => {
  for (const r of [0, 0.3, 0.999]) assertEquals(claimOrder([-5, 0, 0, 0], () => r), [0, 1, 2, 3]);
});

Deno.test("claimOrder spreads over at most the first 4 of a long equal-priority head", () => {
  assertEquals(claimOrder(Array(8).fill(0), () => 0.99), [0, 3, 1, 2, 4, 5, 6, 7]);
});

Deno.test("claimOrder always returns a permutation of the candidates, contended or not", () => {
  const cases = [[1], [0, 0], [0, 1, 2], [0, 0, 0, 0, 0, 1, 1], Array(12).fill(-3)];
  for (const priorities of cases) {
    for (const contended of [false, true]) {
      for (let r = 0; r < 1; r += 0.07) {
        const order = claimOrder(priorities, () => r, { contended });
        assertEquals([...order].sort((a, b) => a - b), priorities.map((_, i) => i));
      }
    }
  }
});

Deno.test("a contended claimOrder spreads the first try over the first 16 of the top priority only", () => {
  const firsts = new Set<number>();
  for (let r = 0; r < 1; r += 0.01) {
    firsts.add(claimOrder(Array(24).fill(0), () => r, { contended: true })[0]!);
  }
  assertEquals([...firsts].sort((a, b) => a - b), Array.from({ length: 16 }, (_, i) => i));
  // A higher priority still goes first, and a lower one last, whatever the draw.
  for (const r of [0, 0.5, 0.99]) {
    assertEquals(claimOrder([-5, 0, 0], () => r, { contended: true }), [0, 1, 2]);
    assertEquals(claimOrder([0, 0, 3], () => r, { contended: true }).at(-1), 2);
  }
});

Deno.test("a worker that just lost a race lists 32 ready entries and spreads its first try over 16, even when its caller draws 0", async () => {
  await using store = await tempStore();
  const ids = Array.from({ length: 40 }, (_, i) => `j${String(i).padStart(2, "0")}`);
  for (const [i, id] of ids.entries()) await enqueue(store, spec({ id }), T0 + i);
  const first = async (workerId: string) =>
    (await readCandidates(store, {
      workerId,
      now: T0 + 100,
      random: () => 0,
      spreadRandom: () => 0.99,
      fetch: 1,
    }))[0]!.current.value.id;
  // Not contended: the caller's draw keeps FIFO order.
  assertEquals(await first("calm"), "j00");
  noteLostRace("busy", T0 + 99);
  assertEquals(await first("busy"), "j15");
});

Deno.test("claimNext takes higher priority first, then the oldest job of a priority", async () => {
  await using store = await tempStore();
  const ids = ["a0", "b5", "c0", "d5", "e-3", "f5"];
  for (const [i, id] of ids.entries()) {
    await enqueue(store, spec({ id, priority: Number(id.slice(1)) }), T0 + i);
  }
  const claimed: string[] = [];
  for (;;) {
    const c = await claimNext(store, { workerId: "w1", now: T0 + 100, random: () => 0 });
    if (!c) break;
    claimed.push(c.job.id);
  }
  assertEquals(claimed, ["b5", "d5", "f5", "a0", "c0", "e-3"]);
  await checkInvariants(store);
});

Deno.test("claimNext with random spreading still never takes a lower priority before a higher one", async () => {
  await using store = await tempStore();
  await enqueue(store, [spec({ priority: 1 }), spec({ priority: 1 }), spec({ priority: 9 })]);
  await enqueue(store, [spec({ priority: 1 }), spec({ priority: 9 })], T0 + 1);
  const priorities: number[] = [];
  for (let c; (c = await claimNext(store, { workerId: "w1", now: T0 + 2 }));) {
    priorities.push(c.job.priority);
  }
  assertEquals(priorities, [9, 9, 1, 1, 1]);
  await checkInvariants(store);
});

Deno.test("claimNext returns null on an empty queue and when only scheduled jobs wait", async () => {
  await using store = await tempStore();
  strictEqual(await claimNext(store, { workerId: "w1", now: T0 }), null);
  await enqueue(store, spec({ run_at: T0 + 1000 }));
  strictEqual(await claimNext(store, { workerId: "w1", now: T0 }), null);
  assertEquals(await counters(store), countsOf({ scheduled: 1 }));
  await checkInvariants(store);
});

Deno.test("claimNext moves the job to processing, counts the attempt and writes an open attempt record", async () => {
  await using store = await tempStore();
  const [queued] = await enqueue(store, spec({ id: "a" }));
  const c = await claimNext(store, { workerId: "w7", now: T0 + 50 });
  ok(c);
  const { job } = c;
  assertEquals(
    [job.id, job.state, job.attempts, job.runs, job.worker, job.started_at, job.updated_at],
    ["a", "processing", 1, 1, "w7", T0 + 50, T0 + 50],
  );
  ok(job.seq > queued!.seq, "the claim gives the job a new sort key");
  const stored = await store.db.get(keys.job("a"));
  assertEquals([stored.value, stored.versionstamp], [job, c.versionstamp]);
  assertEquals((await rawAttempt(store, "a", 1)).value, {
    n: 1,
    worker: "w7",
    started_at: T0 + 50,
    finished_at: null,
    exit_code: null,
    signal: null,
    outcome: null,
    error: null,
    duration_ms: null,
    output: null,
  });
  assertEquals(await counters(store), countsOf({ processing: 1 }));
  await checkInvariants(store);
});

/** Claims until the ready index is empty; a null claim only ends the loop once nothing is left. */
async function claimLoop(store: Store, workerId: string): Promise<string[]> {
  const got: string[] = [];
  for (;;) {
    const c = await claimNext(store, { workerId, now: T0 + 1 });
    if (c) {
      got.push(c.job.id);
      continue;
    }
    const left = await store.db.list({ prefix: keys.readyAll }, { limit: 1 });
    if (left.length === 0) return got;
  }
}

function assertEachClaimedOnce(claims: string[][], all: string[]): void {
  const flat = claims.flat();
  strictEqual(new Set(flat).size, flat.length, "a job was claimed twice");
  assertEquals([...flat].sort(), [...all].sort());
}

Deno.test("four concurrent claim loops on one handle never claim the same job", async () => {
  await using store = await tempStore();
  const jobs = await enqueue(
    store,
    Array.from({ length: 80 }, (_, i) => spec({ priority: i % 3 })),
  );
  const claims = await Promise.all(["w1", "w2", "w3", "w4"].map((w) => claimLoop(store, w)));
  assertEachClaimedOnce(claims, jobs.map((j) => j.id));
  ok(claims.filter((c) => c.length > 0).length >= 2, "the loops really competed");
  const { jobs: stored } = await checkInvariants(store);
  for (const j of stored.values()) {
    assertEquals([j.state, j.attempts, j.runs], ["processing", 1, 1]);
  }
  assertEquals(await counters(store), countsOf({ processing: 80 }));
});

Deno.test("claimers on four separate Deno.openKv handles never claim the same job", async () => {
  await using store = await tempStore();
  const jobs = await enqueue(store, Array.from({ length: 80 }, () => spec()));
  await using h1 = await reopen(store);
  await using h2 = await reopen(store);
  await using h3 = await reopen(store);
  await using h4 = await reopen(store);
  const claims = await Promise.all(
    [h1, h2, h3, h4].map((h, i) => claimLoop(h, `w${i + 1}`)),
  );
  assertEachClaimedOnce(claims, jobs.map((j) => j.id));
  const { jobs: stored } = await checkInvariants(store);
  for (const j of stored.values()) {
    const attempt = (await rawAttempt(store, j.id, 1)).value;
    strictEqual(attempt?.worker, j.worker, "the attempt record names the job's claimer");
  }
  assertEquals(await counters(store), countsOf({ processing: 80 }));
});
