import { deepStrictEqual as assertEquals, strictEqual } from "node:assert/strict";
import { checkInvariants, enqueue, spec, T0, tempStore } from "../../tests/factory.ts";
import type { JobState } from "../job.ts";
import { cancelJob } from "./cancel.ts";
import { type CreatedWalkOptions, walkByCreation } from "./created_walk.ts";
import { createdPlan, pageCreatedView } from "./created_view.ts";
import type { Store } from "./open.ts";
import { pageJobs } from "./page.ts";
import { pageStateByCreation, SMALL_STATE } from "./state_created.ts";

type View = Omit<CreatedWalkOptions, "cursor">;

/** Every page of a filtered creation walk: the ids in the order they came, and each page. */
async function walkAll(store: Store, view: View) {
  const ids: string[] = [];
  const pages: { ids: string[]; partial: boolean; scanned: number }[] = [];
  let cursor: string | undefined;
  for (let i = 0; i < 200; i++) {
    const page = await walkByCreation(store, { ...view, cursor });
    ids.push(...page.jobs.map((j) => j.id));
    pages.push({ ids: page.jobs.map((j) => j.id), partial: page.partial, scanned: page.scanned });
    if (!page.cursor) return { ids, pages };
    cursor = page.cursor;
  }
  throw new Error("the walk did not end");
}

/** Every page of a small state read whole and sorted. */
async function sortedAll(store: Store, state: JobState, order: "newest" | "oldest", limit = 2) {
  const ids: string[] = [];
  let cursor: string | undefined;
  for (let i = 0; i < 100; i++) {
    const page = await pageStateByCreation(store, { state, limit, cursor, order });
    ids.push(...page.jobs.map((j) => j.id));
    if (!page.cursor) return ids;
    cursor = page.cursor;
  }
  throw new Error("the pages did not end");
}

/** Six jobs created a second apart (picked and generated ids), canceled in another order. */
async function createdThenCanceled(store: Store): Promise<string[]> {
  const made: string[] = [];
  for (let i = 0; i < 6; i++) {
    const id = i % 2 === 0 ? `zz-${i}` : undefined;
    const [job] = await enqueue(store, [spec({ ...(id ? { id } : {}) })], T0 + i * 1000);
    made.push(job!.id);
  }
  // Canceled newest-created first but one: the state index then holds another order.
  for (const [n, i] of [4, 5, 0, 3, 1, 2].entries()) {
    await cancelJob(store, made[i]!, { now: T0 + 10_000 + n * 1000 });
  }
  return made;
}

Deno.test("a state's view lists its jobs by creation time, not by when they entered the state, either way and across pages", async () => {
  await using store = await tempStore();
  const made = await createdThenCanceled(store);
  const byChange = await pageJobs(store, { state: "canceled", limit: 10, order: "newest" });
  assertEquals(byChange.jobs.map((j) => j.id), [2, 1, 3, 0, 5, 4].map((i) => made[i]));
  assertEquals(await sortedAll(store, "canceled", "newest"), [...made].reverse());
  assertEquals(await sortedAll(store, "canceled", "oldest", 4), made);
  const view = { state: "canceled" as const, limit: 2, scan: 5000 };
  assertEquals((await walkAll(store, { ...view, order: "newest" })).ids, [...made].reverse());
  assertEquals((await walkAll(store, { ...view, order: "oldest" })).ids, made);
  await checkInvariants(store);
});

Deno.test("a queue's view lists its jobs of every state by creation time, paging without duplicates or gaps", async () => {
  await using store = await tempStore();
  const mine: string[] = [];
  for (let i = 0; i < 30; i++) {
    const queue = i % 3 === 0 ? "mail" : "default";
    const id = i % 4 === 0 ? `p${String(29 - i).padStart(2, "0")}` : undefined;
    const [job] = await enqueue(store, [spec({ queue, ...(id ? { id } : {}) })], T0 + i * 10);
    if (queue === "mail") mine.push(job!.id);
  }
  for (const id of [mine[5]!, mine[0]!, mine[2]!]) await cancelJob(store, id, { now: T0 + 9000 });
  for (const limit of [1, 3, 50]) {
    const view = { queue: "mail", limit, scan: 5000 };
    const newest = await walkAll(store, { ...view, order: "newest" });
    assertEquals(newest.ids, [...mine].reverse(), `newest, limit ${limit}`);
    assertEquals(newest.pages.some((p) => p.partial), false, "the walk had room for every page");
    assertEquals((await walkAll(store, { ...view, order: "oldest" })).ids, mine);
  }
  const both = await walkAll(store, {
    queue: "mail",
    state: "canceled",
    limit: 2,
    scan: 5000,
    order: "newest",
  });
  assertEquals(both.ids, [mine[5], mine[2], mine[0]]);
});

Deno.test("a filtered walk stops at its record budget with partial and a cursor that goes on to every match", async () => {
  await using store = await tempStore();
  const rare: string[] = [];
  for (let i = 0; i < 40; i++) {
    const queue = i === 3 || i === 34 || i === 35 ? "rare" : "default";
    const [job] = await enqueue(store, [spec({ queue })], T0 + i);
    if (queue === "rare") rare.push(job!.id);
  }
  const { ids, pages } = await walkAll(store, {
    queue: "rare",
    limit: 5,
    scan: 7,
    order: "newest",
  });
  assertEquals(ids, [...rare].reverse());
  strictEqual(pages.every((p) => p.scanned <= 7), true);
  assertEquals(pages[0], { ids: [rare[2]!, rare[1]!], partial: true, scanned: 7 });
  strictEqual(pages.filter((p) => p.partial && p.ids.length === 0).length > 0, true);
  strictEqual(pages[pages.length - 1]!.partial, false, "the last call reached the end");
});

Deno.test("a filtered walk stops when its time budget is spent, still with a cursor to go on", async () => {
  await using store = await tempStore();
  await enqueue(store, Array.from({ length: 1200 }, () => spec()), T0);
  const [late] = await enqueue(store, [spec({ queue: "rare" })], T0 - 1);
  let t = 0;
  const clock = () => (t += 600); // each look at the clock: 600 ms later
  const view = { queue: "rare", limit: 5, scan: 5000, order: "newest" as const, clock };
  const first = await walkByCreation(store, { ...view, budgetMs: 1000 });
  assertEquals([first.jobs, first.partial, first.scanned], [[], true, 500]);
  const rest = await walkByCreation(store, { ...view, cursor: first.cursor!, budgetMs: 60_000 });
  assertEquals([rest.jobs.map((j) => j.id), rest.partial, rest.cursor], [[late!.id], false, null]);
});

Deno.test("pageCreatedView reads a small state whole and a large or queue-only view by the bounded walk, under one cursor", async () => {
  assertEquals(createdPlan({}), "index");
  assertEquals(createdPlan({ queue: "mail" }), "walk");
  assertEquals(createdPlan({ state: "dead", stateCount: SMALL_STATE }), "sorted");
  assertEquals(createdPlan({ state: "dead", stateCount: SMALL_STATE + 1 }), "walk");
  assertEquals(createdPlan({ state: "dead", queue: "mail", stateCount: 3 }), "sorted");
  await using store = await tempStore();
  const made = await createdThenCanceled(store);
  const opts = { state: "canceled" as const, limit: 2, order: "newest" as const, scan: 5000 };
  const first = await pageCreatedView(store, opts);
  assertEquals([first.plan, first.jobs.map((j) => j.id)], ["sorted", [made[5], made[4]]]);
  // A page of the sorted read continues in the walk, and back: the cursor is the same kind.
  const second = await walkByCreation(store, { ...opts, cursor: first.cursor! });
  assertEquals(second.jobs.map((j) => j.id), [made[3], made[2]]);
  const third = await pageCreatedView(store, { ...opts, cursor: second.cursor! });
  assertEquals([third.jobs.map((j) => j.id), third.cursor], [[made[1], made[0]], null]);
  const queue = await pageCreatedView(store, {
    queue: "default",
    limit: 10,
    order: "oldest",
    scan: 5000,
  });
  assertEquals([queue.plan, queue.jobs.map((j) => j.id), queue.partial], ["walk", made, false]);
});
