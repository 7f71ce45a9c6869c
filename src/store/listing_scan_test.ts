import { deepStrictEqual as assertEquals, strictEqual } from "node:assert/strict";
import { enqueue, spec, T0, tempStore } from "../../tests/factory.ts";
import { cancelJob } from "./cancel.ts";
import { scanListing } from "./listing_scan.ts";

Deno.test("scanListing reads a state's jobs of one queue latest change first within its budget, and its cursor goes on without repeats or gaps", async () => {
  await using store = await tempStore();
  const ids = Array.from({ length: 12 }, (_, i) => `j${String(i).padStart(2, "0")}`);
  await enqueue(store, ids.map((id, i) => spec({ id, queue: i % 3 === 0 ? "mail" : "default" })));
  // Canceled last to first: the state's listing then runs j11 … j00.
  for (const [n, id] of [...ids].reverse().entries()) {
    await cancelJob(store, id, { now: T0 + 1000 + n });
  }
  const seen: string[] = [];
  const calls: { n: number; scanned: number }[] = [];
  let cursor: string | undefined;
  for (let i = 0; i < 20; i++) {
    const page = await scanListing(store, {
      state: "canceled",
      queue: "mail",
      limit: 10,
      cursor,
      order: "newest",
      scan: 4,
    });
    seen.push(...page.jobs.map((j) => j.id));
    calls.push({ n: page.jobs.length, scanned: page.scanned });
    if (!page.cursor) break;
    cursor = page.cursor;
  }
  assertEquals(seen, ["j00", "j03", "j06", "j09"]);
  strictEqual(calls.every((c) => c.scanned <= 4), true);
  strictEqual(calls.length, 4, "12 entries, 4 a call, and a last call that finds the end");
});

Deno.test("scanListing reads one queue's pending jobs through its own ready keys, either end first", async () => {
  await using store = await tempStore();
  await enqueue(store, [
    spec({ id: "a", queue: "mail" }),
    spec({ id: "b" }),
    spec({ id: "c", queue: "mail", priority: 5 }),
    spec({ id: "d", queue: "mail" }),
  ]);
  const view = { state: "pending" as const, queue: "mail", limit: 10, scan: 100 };
  const oldest = await scanListing(store, { ...view, order: "oldest" });
  assertEquals([oldest.jobs.map((j) => j.id), oldest.scanned, oldest.cursor], [
    ["c", "a", "d"],
    3,
    null,
  ]);
  const newest = await scanListing(store, { ...view, order: "newest" });
  assertEquals(newest.jobs.map((j) => j.id), ["d", "a", "c"]);
});
