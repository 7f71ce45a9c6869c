import { deepStrictEqual as assertEquals, rejects, strictEqual } from "node:assert/strict";
import { tempStore } from "../../tests/factory.ts";
import { ConflictError } from "../errors.ts";
import { CommitPipeline } from "./commit_pipeline.ts";
import { Tx } from "./db.ts";

/** A batch of `n` new keys under `["t", tag]`. */
function batch(tag: string, n: number): Tx {
  const tx = new Tx();
  for (let i = 0; i < n; i++) tx.set(["t", tag, i], i);
  return tx;
}

async function keysUnder(kv: Deno.Kv): Promise<number> {
  let n = 0;
  for await (const _ of kv.list({ prefix: ["t"] })) n++;
  return n;
}

Deno.test("CommitPipeline stores every batch and reports the running total after each commit", async () => {
  await using store = await tempStore();
  const heard: number[] = [];
  const pipe = new CommitPipeline(store.db, (n) => heard.push(n));
  for (const tag of ["a", "b", "c", "d"]) await pipe.push(batch(tag, 100), 100);
  await pipe.finish();
  assertEquals(heard, [100, 200, 300, 400]);
  strictEqual(await keysUnder(store.db.kv), 400);
});

Deno.test("CommitPipeline keeps at most two unchecked commits in flight", async () => {
  await using store = await tempStore();
  const pipe = new CommitPipeline(store.db);
  let inFlight = 0;
  let most = 0;
  const real = store.db.stage.bind(store.db);
  store.db.stage = (tx) => {
    const commit = real(tx);
    return async () => {
      most = Math.max(most, ++inFlight);
      try {
        return await commit();
      } finally {
        inFlight--;
      }
    };
  };
  for (let i = 0; i < 8; i++) await pipe.push(batch(`b${i}`, 50), 50);
  await pipe.finish();
  strictEqual(most, 2);
  strictEqual(await keysUnder(store.db.kv), 400);
});

Deno.test("CommitPipeline sends a checked batch alone, so a failed check names exactly what was stored before it", async () => {
  await using store = await tempStore();
  await store.db.kv.set(["t", "taken"], "x");
  const pipe = new CommitPipeline(store.db);
  await pipe.push(batch("a", 100), 100);
  await pipe.push(batch("b", 100), 100);
  const checked = batch("c", 10).check(["t", "taken"], null);
  await rejects(pipe.push(checked, 10), (e: unknown) => {
    strictEqual(e instanceof ConflictError, true);
    strictEqual(
      (e as Error).message,
      "enqueue failed: a job id was taken meanwhile (200 jobs stored before it)",
    );
    return true;
  });
  strictEqual(await keysUnder(store.db.kv), 201);
});

Deno.test("CommitPipeline waits for the commit in flight beside a failed one before it throws", async () => {
  await using store = await tempStore();
  const pipe = new CommitPipeline(store.db);
  await pipe.push(batch("a", 1_001), 1_001); // refused: more than 1,000 mutations
  await pipe.push(batch("b", 100), 100);
  await rejects(pipe.finish(), RangeError);
  // The good batch landed before finish returned: nothing is still being written.
  strictEqual(await keysUnder(store.db.kv), 100);
});
