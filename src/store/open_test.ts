import { deepStrictEqual as assertEquals, rejects, strictEqual } from "node:assert/strict";
import { join } from "node:path";
import { OperationError } from "../errors.ts";
import { Tx } from "./db.ts";
import { openStore, resolveLocation } from "./open.ts";
import { readOnlyUri } from "./open_read_only.ts";

Deno.test("resolveLocation prefers the explicit flag", () => {
  strictEqual(resolveLocation("/tmp/x/q.kv"), "/tmp/x/q.kv");
});

Deno.test("openStore without create refuses a missing database and creates nothing", async () => {
  const dir = await Deno.makeTempDir({ prefix: "queuectl-unit-" });
  try {
    for (const path of [join(dir, "q.kv"), join(dir, "no", "such", "q.kv")]) {
      await rejects(
        () => openStore(path, { create: false }),
        (e: unknown) => e instanceof OperationError && e.message === `no database at ${path}`,
      );
    }
    assertEquals([...Deno.readDirSync(dir)], []);
    // An existing one opens for writing as usual.
    (await openStore(join(dir, "q.kv"))).close();
    const store = await openStore(join(dir, "q.kv"), { create: false });
    strictEqual(store.readOnly, null);
    await store.db.commit(new Tx().set(["config", "max_retries"], 1));
    store.close();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("readOnlyUri escapes the path and reads the main file alone only when no WAL holds commits", () => {
  strictEqual(readOnlyUri("/mnt/q.kv", false), "file:///mnt/q.kv?immutable=1");
  strictEqual(readOnlyUri("/mnt/q.kv", true), "file:///mnt/q.kv?mode=ro");
  strictEqual(readOnlyUri("//srv/a b%?#.kv", false), "file:////srv/a b%25%3F%23.kv?immutable=1");
  strictEqual(readOnlyUri("rel/q.kv", true), "file:rel/q.kv?mode=ro");
});

Deno.test("openStore creates the folder (0700) and file (0600), and the data survives a reopen", async () => {
  const dir = await Deno.makeTempDir({ prefix: "queuectl-unit-" });
  try {
    const path = join(dir, "nested", "queue.kv");
    const store = await openStore(path, { strict: true });
    await store.db.commit(new Tx().set(["config", "max_retries"], 7));
    store.close();
    strictEqual((await Deno.stat(join(dir, "nested"))).mode! & 0o777, 0o700);
    strictEqual((await Deno.stat(path)).mode! & 0o777, 0o600);
    const again = await openStore(path);
    assertEquals((await again.db.get(["config", "max_retries"])).value, 7);
    again.close();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("openStore of a folder path fails with a one-line OperationError", async () => {
  const dir = await Deno.makeTempDir({ prefix: "queuectl-unit-" });
  try {
    await rejects(
      () => openStore(dir),
      (e: unknown) => e instanceof OperationError && /it is a folder/.test(e.message),
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("openStore tightens an existing database file and its WAL files that anyone could read", async () => {
  const dir = await Deno.makeTempDir({ prefix: "queuectl-unit-" });
  try {
    const path = join(dir, "queue.kv");
    const kv = await Deno.openKv(path);
    await kv.set(["config", "max_retries"], 2);
    // Held open, so that the WAL files stay while the store opens the same file.
    for (const p of [path, `${path}-wal`, `${path}-shm`]) Deno.chmodSync(p, 0o644);
    const store = await openStore(path);
    for (const p of [path, `${path}-wal`, `${path}-shm`]) {
      strictEqual((await Deno.stat(p)).mode! & 0o777, 0o600, p);
    }
    store.close();
    kv.close();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
