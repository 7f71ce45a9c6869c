import { deepStrictEqual as assertEquals, rejects, strictEqual } from "node:assert/strict";
import { tempStore } from "../../tests/factory.ts";
import { DEFAULT_CONFIG } from "../config.ts";
import { UsageError } from "../errors.ts";
import { readConfig, resetConfig, writeConfig } from "./config_store.ts";
import { keys } from "./keys.ts";

Deno.test("readConfig of an empty store is the defaults", async () => {
  await using store = await tempStore();
  assertEquals(await readConfig(store), DEFAULT_CONFIG);
});

Deno.test("writeConfig stores a value that readConfig then returns, over the defaults", async () => {
  await using store = await tempStore();
  await writeConfig(store, "max_retries", 5);
  await writeConfig(store, "backoff_max", 90_000);
  await writeConfig(store, "log_level", "debug");
  assertEquals(await readConfig(store), {
    ...DEFAULT_CONFIG,
    max_retries: 5,
    backoff_max: 90_000,
    log_level: "debug",
  });
  strictEqual((await store.db.get(keys.config("max_retries"))).value, 5);
});

Deno.test("writeConfig refuses a value that breaks lease_ms > 2 × heartbeat_ms and stores nothing", async () => {
  await using store = await tempStore();
  await rejects(() => writeConfig(store, "lease_ms", 1500), UsageError);
  await rejects(() => writeConfig(store, "max_retries", 101), UsageError);
  strictEqual((await store.db.list({ prefix: keys.configAll }, { limit: 10 })).length, 0);
  await writeConfig(store, "heartbeat_ms", 400);
  await writeConfig(store, "lease_ms", 1500);
  assertEquals((await readConfig(store)).lease_ms, 1500);
});

Deno.test("resetConfig removes every stored value so the defaults apply again", async () => {
  await using store = await tempStore();
  await writeConfig(store, "max_retries", 9);
  await writeConfig(store, "poll_interval_ms", 50);
  await resetConfig(store);
  assertEquals(await readConfig(store), DEFAULT_CONFIG);
  strictEqual((await store.db.list({ prefix: keys.configAll }, { limit: 10 })).length, 0);
  await resetConfig(store);
  assertEquals(await readConfig(store), DEFAULT_CONFIG, "resetting an empty config is harmless");
});

Deno.test("readConfig ignores an invalid or unknown stored value and keeps the valid ones", async () => {
  await using store = await tempStore();
  await store.db.kv.set(keys.config("max_retries"), -4);
  await store.db.kv.set(keys.config("backoff_base"), { not: "a number" });
  await store.db.kv.set(keys.config("no_such_key"), 1);
  await store.db.kv.set(keys.config("backoff_max"), "90s");
  await store.db.kv.set(keys.config("poll_interval_ms"), 250);
  assertEquals(await readConfig(store), {
    ...DEFAULT_CONFIG,
    backoff_max: 90_000,
    poll_interval_ms: 250,
  });
});

Deno.test("readConfig falls back to the default lease pair when the stored pair is inconsistent", async () => {
  await using store = await tempStore();
  await store.db.kv.set(keys.config("lease_ms"), 2000);
  await store.db.kv.set(keys.config("heartbeat_ms"), 1500);
  const config = await readConfig(store);
  assertEquals([config.lease_ms, config.heartbeat_ms], [
    DEFAULT_CONFIG.lease_ms,
    DEFAULT_CONFIG.heartbeat_ms,
  ]);
});
