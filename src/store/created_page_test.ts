import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { enqueue, spec, T0, tempStore } from "../../tests/factory.ts";
import { idTimePrefix } from "../ids.ts";
import { idSplit, pageByCreation } from "./created_page.ts";
import { keys } from "./keys.ts";
import { checkStore } from "./doctor.ts";
import { repairStore } from "./doctor_repair.ts";
import { Tx } from "./tx.ts";
import { cancelJob } from "./cancel.ts";
import { deleteJob } from "./delete.ts";
import type { Store } from "./open.ts";

/** Every page of `order`, `limit` at a time: the ids in the order they came. */
async function walk(store: Store, order: "newest" | "oldest", limit: number): Promise<string[]> {
  const out: string[] = [];
  let cursor: string | undefined;
  for (let i = 0; i < 100; i++) {
    const page = await pageByCreation(store, { limit, cursor, order });
    out.push(...page.jobs.map((j) => j.id));
    if (!page.cursor) return out;
    cursor = page.cursor;
  }
  throw new Error("the walk did not end");
}

Deno.test("pageByCreation lists generated and picked ids together by creation time, either way, across pages", async () => {
  await using store = await tempStore();
  const ids: string[] = [];
  // Picked ids that sort before, among and after generated ones, created between them.
  const picked = ["zz-first", "0-digit", "aa-middle", "01ZZZZZZZZZZZZZZZZZZZZZZZZ", "m-last"];
  for (let i = 0; i < 10; i++) {
    const now = T0 + i * 1000;
    const id = i % 2 === 0 ? picked[i / 2]! : undefined;
    const [job] = await enqueue(store, [spec({ ...(id ? { id } : {}) })], now);
    ids.push(job!.id);
  }
  // Two jobs in one millisecond: a generated and a picked one.
  const [g] = await enqueue(store, [spec()], T0 + 20_000);
  const [p] = await enqueue(store, [spec({ id: "same-ms" })], T0 + 20_000);
  ids.push(...[g!.id, p!.id].sort());
  for (const limit of [1, 3, 50]) {
    assertEquals(await walk(store, "oldest", limit), ids, `oldest, limit ${limit}`);
    assertEquals(await walk(store, "newest", limit), [...ids].reverse(), `newest, limit ${limit}`);
  }
  // Only picked ids have an entry of their own; a delete removes it.
  const created = await store.db.list<string>({ prefix: keys.createdAll }, { limit: 100 });
  assertEquals(created.map((e) => e.value).sort(), [...picked, "same-ms"].sort());
  await cancelJob(store, "aa-middle", { now: T0 + 30_000 });
  await deleteJob(store, "aa-middle");
  const left = await store.db.list<string>({ prefix: keys.createdAll }, { limit: 100 });
  assertEquals(left.length, created.length - 1);
  assertEquals((await walk(store, "oldest", 2)).includes("aa-middle"), false);
});

Deno.test("idSplit puts a generated id's place at the id itself and a picked id's at its millisecond's edge", () => {
  const id = idTimePrefix(T0) + "ABCDEFGHJKMNPQRS"; // a ULID of T0, as newId makes one
  assertEquals(idSplit([T0, id]), id);
  assertEquals(idSplit([T0, "nightly"]) > id, true);
  assertEquals(idSplit([T0, "0"]) <= id, true);
});

Deno.test("doctor reports a picked id's missing creation entry and a stray one, and --repair restores the index", async () => {
  await using store = await tempStore();
  await enqueue(store, [spec({ id: "picked" }), spec()], T0);
  const tx = new Tx().delete(keys.created(T0, "picked")).set(keys.created(T0, "ghost"), "ghost");
  await store.db.commit(tx);
  const { violations } = await checkStore(store, { now: T0, leaseMs: 10_000 });
  assertEquals(violations.map((v) => v.kind).sort(), ["missing_index", "stray_index"]);
  await repairStore(store, { now: T0 });
  assertEquals((await checkStore(store, { now: T0, leaseMs: 10_000 })).violations, []);
  assertEquals((await walk(store, "newest", 10)).includes("picked"), true);
});
