import {
  deepStrictEqual as assertEquals,
  doesNotThrow,
  ok,
  rejects,
  strictEqual,
} from "node:assert/strict";
import { join } from "node:path";
import { checkInvariants, counters, countsOf, tempStore } from "../../tests/factory.ts";
import { LimitError, OperationError } from "../errors.ts";
import { Db, isLocked, REMOTE_LIMITS, Tx } from "./db.ts";

const U64 = 2n ** 64n;

Deno.test("Tx coalesces sums on one counter into a single mutation", () => {
  const tx = new Tx()
    .add(["count", "pending"], 1)
    .add(["count", "scheduled"], 1)
    .add(["count", "pending"], 1)
    .add(["count", "pending"], 1);
  assertEquals(tx.mutations, [
    { type: "sum", key: ["count", "pending"], n: 3n },
    { type: "sum", key: ["count", "scheduled"], n: 1n },
  ]);
});

Deno.test("Tx encodes a decrement as a wrapping KvU64 sum", () => {
  assertEquals(new Tx().add(["c"], -1).mutations, [{ type: "sum", key: ["c"], n: U64 - 1n }]);
  assertEquals(new Tx().add(["c"], -3).mutations, [{ type: "sum", key: ["c"], n: U64 - 3n }]);
  assertEquals(new Tx().add(["c"], 0).mutations, []);
});

Deno.test("Tx add(key, -1) after add(key, +1) coalesces to a zero sum that leaves the counter as it was", async () => {
  await using store = await tempStore();
  await store.db.commit(new Tx().add(["count", "pending"], 5));
  const tx = new Tx().add(["count", "pending"], 1).add(["count", "pending"], -1);
  assertEquals(tx.mutations, [{ type: "sum", key: ["count", "pending"], n: 0n }]);
  ok(await store.db.commit(tx));
  assertEquals((await counters(store)).pending, 5);
  ok(await store.db.commit(new Tx().add(["count", "pending"], -2).add(["count", "dead"], -1)));
  assertEquals((await counters(store)).pending, 3);
  assertEquals((await counters(store)).dead, -1, "a counter below zero wraps to 2^64-1");
});

Deno.test("Tx.dropZeroSums removes only the sums that net to zero, and a later add starts afresh", () => {
  const tx = new Tx();
  tx.add(["count", "processing"], -1).set(["job", "a"], 1).add(["count", "processing"], 1);
  tx.add(["count", "completed"], 1);
  tx.dropZeroSums();
  assertEquals(tx.mutations.map((m) => [m.type, m.key]), [
    ["set", ["job", "a"]],
    ["sum", ["count", "completed"]],
  ]);
  tx.add(["count", "processing"], 2);
  assertEquals(tx.mutations.length, 3);
});

Deno.test("Db.commit returns null and writes nothing when a versionstamp check fails", async () => {
  await using store = await tempStore();
  ok(await store.db.commit(new Tx().set(["job", "a"], 1)));
  const tx = new Tx().check(["job", "a"], null).set(["job", "a"], 2).add(["count", "pending"], 1);
  strictEqual(await store.db.commit(tx), null);
  strictEqual((await store.db.get(["job", "a"])).value, 1);
  assertEquals(await counters(store), countsOf({}));
});

Deno.test("strict mode refuses an atomic operation with more than 10 checks and writes nothing", async () => {
  await using store = await tempStore({ strict: true });
  const tx = new Tx();
  for (let i = 0; i < REMOTE_LIMITS.checks + 1; i++) tx.check(["job", `j${i}`], null);
  tx.set(["config", "x"], 1);
  await rejects(
    () => store.db.commit(tx),
    (e: unknown) => e instanceof RangeError && /11 checks/.test(e.message),
  );
  strictEqual((await store.db.get(["config", "x"])).versionstamp, null);
  const ten = new Tx();
  for (let i = 0; i < REMOTE_LIMITS.checks; i++) ten.check(["job", `j${i}`], null);
  ok(await store.db.commit(ten.set(["config", "x"], 1)), "10 checks are allowed");
});

Deno.test("non-strict mode allows more than 10 checks, up to the local limit of 100", async () => {
  await using store = await tempStore({ strict: false });
  const tx = new Tx();
  for (let i = 0; i < 100; i++) tx.check(["job", `j${i}`], null);
  ok(await store.db.commit(tx.set(["config", "x"], 1)));
  const over = new Tx();
  for (let i = 0; i < 101; i++) over.check(["job", `j${i}`], null);
  await rejects(() => store.db.commit(over.set(["config", "y"], 1)), RangeError);
});

Deno.test("an atomic operation of more than 1,000 mutations is refused before it is sent", async () => {
  await using store = await tempStore({ strict: false });
  const tx = new Tx();
  for (let i = 0; i < REMOTE_LIMITS.mutations + 1; i++) tx.set(["x", i], i);
  await rejects(() => store.db.commit(tx), RangeError);
  strictEqual((await store.db.get(["x", 0])).versionstamp, null);
});

Deno.test("strict mode refuses an atomic operation beyond the 800 KiB byte budget", async () => {
  await using store = await tempStore({ strict: true });
  const tx = new Tx();
  for (let i = 0; i < 14; i++) tx.set(["x", i], new Uint8Array(60 * 1024));
  await rejects(
    () => store.db.commit(tx),
    (e: unknown) => e instanceof RangeError && /bytes/.test(e.message),
  );
});

Deno.test("the limits Db enforces and Deno KV's own surface as LimitError, whichever call hits them", async () => {
  await using store = await tempStore({ strict: true });
  const limit = (pattern: RegExp) => (e: unknown) =>
    e instanceof LimitError && pattern.test(e.message);
  const checks = new Tx();
  for (let i = 0; i <= REMOTE_LIMITS.checks; i++) checks.check(["job", `j${i}`], null);
  await rejects(store.db.commit(checks), limit(/^database limit: atomic operation too large: 11/));
  const big = new Uint8Array(65 * 1024);
  const value = /^database limit: Value too large \(max 65536 bytes\)$/;
  await rejects(store.db.commit(new Tx().set(["x", 1], big)), limit(value));
  await rejects(store.db.stage(new Tx().set(["x", 2], big))(), limit(value));
  await rejects(store.db.set(["x", 3], big), limit(value));
  await rejects(store.db.get(["x", "k".repeat(3000)]), limit(/^database limit: Key too large/));
  strictEqual(
    (await store.db.getMany([["x", 1], ["x", 2], ["x", 3]])).filter((e) => e.versionstamp).length,
    0,
  );
});

Deno.test("Db.getMany reads more than 10 keys in several round trips, in order", async () => {
  await using store = await tempStore({ spy: true });
  const tx = new Tx();
  for (let i = 0; i < 25; i++) tx.set(["x", i], i);
  await store.db.commit(tx);
  const got = await store.db.getMany<number>(Array.from({ length: 26 }, (_, i) => ["x", i]));
  assertEquals(got.map((e) => e.value), [...Array.from({ length: 25 }, (_, i) => i), null]);
  strictEqual(store.stats.getMany, REMOTE_LIMITS.getMany);
});

Deno.test("Db.list returns at most 1,000 entries whatever limit is asked", async () => {
  await using store = await tempStore({ spy: true });
  for (let b = 0; b < 2; b++) {
    const tx = new Tx();
    for (let i = 0; i < 600; i++) tx.set(["x", b * 600 + i], 0);
    await store.db.commit(tx);
  }
  strictEqual((await store.db.list({ prefix: ["x"] }, { limit: 5000 })).length, 1000);
  strictEqual(store.stats.list, 1000);
  const rev = await store.db.list<number>({ prefix: ["x"] }, { limit: 2, reverse: true });
  assertEquals(rev.map((e) => e.key[1]), [1199, 1198]);
});

Deno.test("isLocked recognizes SQLite busy and locked errors and nothing else", () => {
  ok(isLocked(new Error("database is locked")));
  ok(isLocked(new TypeError("Error code 5: SQLITE_BUSY")));
  ok(isLocked(new Error("database table is locked: kv")));
  ok(isLocked("Database Is Locked"));
  ok(!isLocked(new Error("no such table")));
  ok(!isLocked(new RangeError("Too many checks (max 100)")));
  ok(!isLocked(undefined));
});

/** A stand-in KV whose `get` fails with `error` the first `failures` times. */
function flakyKv(failures: number, error: Error): { kv: Deno.Kv; calls: () => number } {
  let calls = 0;
  const kv = {
    get(key: Deno.KvKey) {
      calls++;
      if (calls <= failures) return Promise.reject(error);
      return Promise.resolve({ key, value: "ok", versionstamp: "1" });
    },
    close() {},
  } as unknown as Deno.Kv;
  return { kv, calls: () => calls };
}

Deno.test("Db retries database is locked transparently until the call succeeds", async () => {
  const { kv, calls } = flakyKv(4, new Error("database is locked"));
  const db = new Db(kv);
  strictEqual((await db.get(["x"])).value, "ok");
  strictEqual(calls(), 5);
});

Deno.test("Db gives up on database is locked after lockedRetryMs with a one-line OperationError", async () => {
  const { kv } = flakyKv(Infinity, new Error("database is locked\n    at somewhere"));
  const db = new Db(kv, { lockedRetryMs: 30 });
  await rejects(db.get(["x"]), (e: unknown) => {
    ok(e instanceof OperationError);
    strictEqual(e.message, "database error: database is locked");
    return true;
  });
});

Deno.test("a lock that outlasts the retry bound surfaces as OperationError even though Deno KV throws it as TypeError", async () => {
  const { kv, calls } = flakyKv(Infinity, new TypeError("database is locked"));
  const db = new Db(kv, { lockedRetryMs: 20 });
  await rejects(
    db.get(["x"]),
    (e: unknown) =>
      e instanceof OperationError && e.message === "database error: database is locked",
  );
  ok(calls() > 1, "it was retried first");
});

Deno.test("Db does not retry other errors", async () => {
  const { kv, calls } = flakyKv(1, new Error("disk I/O error"));
  const db = new Db(kv);
  await rejects(
    db.get(["x"]),
    (e: unknown) => e instanceof OperationError && /disk I\/O/.test(e.message),
  );
  strictEqual(calls(), 1);
});

Deno.test("Db.commit over the limits rejects its promise rather than throwing synchronously", async () => {
  const db = new Db(flakyKv(0, new Error()).kv, { strict: true });
  const tx = new Tx();
  for (let i = 0; i < 11; i++) tx.check(["k", i], null);
  let pending: Promise<unknown> | undefined;
  doesNotThrow(() => {
    pending = db.commit(tx);
  });
  await rejects(pending!, RangeError);
});

const STORE_MOD = new URL("./mod.ts", import.meta.url).href;
const CONFIG = new URL("../../deno.json", import.meta.url).pathname;

Deno.test("four processes enqueueing 300 jobs each into one file all succeed and count 1,200", async () => {
  await using store = await tempStore({ strict: false });
  const script = join(store.dir, "enqueuer.ts");
  await Deno.writeTextFile(
    script,
    `import { enqueueJobs, openStore } from ${JSON.stringify(STORE_MOD)};
const [path, startAt] = Deno.args;
const store = await openStore(path!);
// Start together, so the writers really overlap.
await new Promise((r) => setTimeout(r, Math.max(0, Number(startAt) - Date.now())));
for (let i = 0; i < 300; i++) {
  await enqueueJobs(store, [{ command: "echo " + i, priority: i % 3, timeout: null }], {
    now: Date.now(),
    maxRetries: 3,
  });
}
store.close();
`,
  );
  const startAt = String(Date.now() + 600);
  const children = Array.from({ length: 4 }, () =>
    new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", "--quiet", "--config", CONFIG, script, store.path, startAt],
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).output());
  const results = await Promise.all(children);
  const dec = new TextDecoder();
  for (const r of results) {
    const stderr = dec.decode(r.stderr);
    ok(!/locked/i.test(stderr), `a writer saw the lock: ${stderr}`);
    assertEquals([r.code, stderr], [0, ""]);
  }
  assertEquals(await counters(store), countsOf({ pending: 1200 }));
  const { jobs } = await checkInvariants(store);
  strictEqual(jobs.size, 1200);
});

Deno.test("a call that never returns fails after timeoutMs with a one-line OperationError", async () => {
  const kv = await Deno.openKv(":memory:");
  const stuck = new Proxy(kv, {
    get(target, prop) {
      if (prop === "get") return () => new Promise(() => {});
      const value = Reflect.get(target, prop, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
  const db = new Db(stuck, { timeoutMs: 200, name: "database http://kv.example" });
  const t0 = Date.now();
  try {
    await rejects(
      db.get(["x"]),
      (e: unknown) =>
        e instanceof OperationError &&
        e.message === "database http://kv.example did not answer within 200ms (is the server up?)",
    );
    ok(Date.now() - t0 < 2000);
  } finally {
    kv.close();
  }
});
