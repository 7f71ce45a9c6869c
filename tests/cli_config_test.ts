/**
 * `queuectl config` happy paths through the real CLI: kebab-case keys, every key in
 * `show --json`, new jobs taking the configured value, and `reset` restoring the defaults.
 */
import { deepStrictEqual as assertEquals, ok } from "node:assert/strict";
import { createDb, tempDb } from "./helpers.ts";
import { json, ok0 } from "./cli_quiet.ts";

const CONFIG_KEYS = [
  "max_retries",
  "backoff_base",
  "backoff_max",
  "poll_interval_ms",
  "log_level",
  "job_timeout",
  "lease_ms",
  "heartbeat_ms",
  "shutdown_grace_ms",
  "output_limit",
  "retention_completed",
  "retention_dead",
  "capture_env",
  "plain_exec",
  "on_finish",
  "on_finish_url",
  "on_finish_timeout",
];

Deno.test("config accepts kebab-case keys, show --json lists every key, and reset restores the defaults", async () => {
  await using db = await tempDb();
  await createDb(db);
  const defaults = await json(db, ["config", "show", "--json"]);
  assertEquals(Object.keys(defaults).sort(), [...CONFIG_KEYS].sort());
  assertEquals(defaults.max_retries, 3);
  assertEquals((await ok0(db, ["config", "set", "max-retries", "5"])).trim(), "max_retries = 5");
  await ok0(db, ["config", "set", "backoff_max", "90s"]);
  const [snake, kebab, shown] = await Promise.all([
    ok0(db, ["config", "get", "max_retries"]),
    ok0(db, ["config", "get", "max-retries"]),
    json(db, ["config", "show", "--json"]),
  ]);
  assertEquals([snake.trim(), kebab.trim()], ["5", "5"]);
  assertEquals([shown.max_retries, shown.backoff_max], [5, 90_000]);
  // New jobs take the configured max_retries.
  assertEquals((await json(db, ["enqueue", "--command", "true", "--json"])).max_retries, 5);
  ok((await ok0(db, ["config", "show"])).includes("max_retries"));
  await ok0(db, ["config", "reset"]);
  assertEquals(await json(db, ["config", "show", "--json"]), defaults);
});
