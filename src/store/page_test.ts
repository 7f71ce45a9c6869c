import { deepStrictEqual as assertEquals, rejects, throws } from "node:assert/strict";
import { UsageError } from "../errors.ts";
import { enqueue, enqueueAndClaim, spec, T0, tempStore } from "../../tests/factory.ts";
import { claimNext } from "./claim.ts";
import { decodeCursor, encodeCursor, pageJobs } from "./page.ts";

async function walk(
  store: Parameters<typeof pageJobs>[0],
  options: Omit<Parameters<typeof pageJobs>[1], "cursor">,
): Promise<string[]> {
  const seen: string[] = [];
  let cursor: string | undefined;
  for (let i = 0; i < 20; i++) {
    const page = await pageJobs(store, { ...options, cursor });
    seen.push(...page.jobs.map((j) => j.id));
    if (!page.cursor) break;
    cursor = page.cursor;
  }
  return seen;
}

Deno.test("pageJobs pages one state's index from either end", async () => {
  await using store = await tempStore();
  const jobs = await enqueue(store, ["e", "c", "a", "d", "b"].map((id) => spec({ id })));
  const ids = jobs.map((j) => j.id);
  assertEquals(await walk(store, { state: "pending", limit: 2 }), ids);
  assertEquals(await walk(store, { state: "pending", limit: 2, order: "newest" }), ids.reverse());
  assertEquals(await pageJobs(store, { state: "dead", limit: 5 }), { jobs: [], cursor: null });
});

Deno.test("pageJobs without a state pages every job by id", async () => {
  await using store = await tempStore();
  await enqueue(
    store,
    ["b", "a", "c"].map((id) => spec({ id, run_at: id === "c" ? T0 + 9 : undefined })),
  );
  assertEquals(await walk(store, { limit: 2 }), ["a", "b", "c"]);
  assertEquals(await walk(store, { limit: 1, order: "newest" }), ["c", "b", "a"]);
});

Deno.test("pageJobs pages pending jobs in claim order: higher priority first, then FIFO", async () => {
  await using store = await tempStore();
  await enqueue(store, [
    spec({ id: "a" }),
    spec({ id: "b", priority: 5 }),
    spec({ id: "c" }),
    spec({ id: "d", priority: 5 }),
  ]);
  assertEquals(await walk(store, { state: "pending", limit: 3 }), ["b", "d", "a", "c"]);
  assertEquals(await walk(store, { state: "pending", limit: 3, order: "newest" }), [
    "c",
    "a",
    "d",
    "b",
  ]);
});

Deno.test("pageJobs continues after a job that left the state since the last page", async () => {
  await using store = await tempStore();
  await enqueue(store, ["a", "b", "c", "d"].map((id) => spec({ id })));
  const first = await pageJobs(store, { state: "pending", limit: 1 });
  assertEquals(first.jobs.map((j) => j.id), ["a"]);
  await enqueueAndClaim(store, spec({ id: "x", priority: 1000 })); // claims x, not a
  await claimNext(store, { workerId: "w1", now: T0 }); // a moves to processing
  const next = await pageJobs(store, { state: "pending", limit: 10, cursor: first.cursor! });
  assertEquals(next.jobs.map((j) => j.id), ["b", "c", "d"]);
});

Deno.test("cursors round-trip and a forged one is a UsageError", () => {
  assertEquals(decodeCursor(encodeCursor(["01J", "é:id"])), ["01J", "é:id"]);
  assertEquals(decodeCursor(encodeCursor(["q", -5, "01J", "a"])), ["q", -5, "01J", "a"]);
  const forged = [btoa("[1,2,3,4,5]"), btoa("[null]"), btoa("[true]"), btoa('{"a":1}')];
  for (const bad of ["", "bogus!", encodeCursor([]), ...forged]) {
    throws(() => decodeCursor(bad), UsageError, bad);
  }
});

Deno.test("a cursor too long for a KV key is a UsageError before any read", async () => {
  await using store = await tempStore();
  const long = encodeCursor(["x".repeat(5000)]);
  throws(() => decodeCursor(long), /invalid cursor: \d+ characters, at most 512/);
  for (const state of [undefined, "pending", "dead"] as const) {
    await rejects(pageJobs(store, { state, limit: 5, cursor: long }), UsageError);
  }
  const longest = encodeCursor(["q".repeat(64), -(2 ** 31), "0".repeat(26), "i".repeat(128)]);
  assertEquals(decodeCursor(longest).length, 4, "the longest real cursor still decodes");
});
