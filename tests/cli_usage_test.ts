/**
 * Bad usage through the real CLI: an unknown state, limit, duration, config key or value, worker
 * count or command exits 2 with one line on stderr, never a stack trace, and changes nothing;
 * no arguments at all print the help and exit 2.
 */
import { deepStrictEqual as assertEquals, ok } from "node:assert/strict";
import { assertOneLineError, cli, statusCounts, tempDb, ZERO_COUNTS } from "./helpers.ts";
import { assertNothingWritten, expectRejected } from "./cli_rejects.ts";

// ---------------------------------------------------------------------------------------------
// list and purge

Deno.test("list and purge reject an unknown state, a bad --limit, a non-final or missing --state and a bad --older-than with exit 2", async () => {
  await using db = await tempDb();
  for (const id of ["c1", "c2"]) {
    assertEquals((await cli(db, ["enqueue", "--id", id, "--command", "true"])).code, 0);
    assertEquals((await cli(db, ["cancel", id])).code, 0);
  }
  const limit = /--limit must be an integer from 1 to 1000/;
  await expectRejected(db, [
    { args: ["list", "--state", "bogus"], pattern: /unknown state "bogus"/ },
    { args: ["list", "--limit", "0"], pattern: limit },
    { args: ["list", "--limit", "5000"], pattern: limit },
    { args: ["list", "--limit", "two"], pattern: limit },
    { args: ["dlq", "list", "--limit", "0"], pattern: limit },
    { args: ["purge", "--state", "pending"], pattern: /cannot purge pending jobs/ },
    { args: ["purge", "--state", "bogus"], pattern: /unknown state "bogus"/ },
    { args: ["purge"], pattern: /required option .*--state/ },
    {
      args: ["purge", "--state", "canceled", "--older-than", "7x"],
      pattern: /invalid duration "7x"/,
    },
    {
      args: ["purge", "--state", "completed", "--older-than", "7x"],
      pattern: /invalid duration "7x"/,
    },
  ]);
  assertEquals(await statusCounts(db), { ...ZERO_COUNTS, canceled: 2 });
});

// ---------------------------------------------------------------------------------------------
// config

Deno.test("config set rejects out-of-range and non-numeric values with exit 2 and leaves the value unchanged", async () => {
  await using db = await tempDb();
  assertEquals((await cli(db, ["config", "set", "max_retries", "7"])).code, 0);
  const before = (await cli(db, ["config", "show", "--json"])).stdout;
  const retries = /max_retries must be an integer from 0 to 100/;
  await expectRejected(db, [
    { args: ["config", "set", "max_retries", "500"], pattern: retries },
    { args: ["config", "set", "max_retries", "-1"], pattern: retries },
    { args: ["config", "set", "max_retries", "abc"], pattern: retries },
    { args: ["config", "set", "max_retries", "2.5"], pattern: retries },
    { args: ["config", "set", "log_level", "loud"], pattern: /log_level must be one of/ },
    { args: ["config", "set", "backoff_max", "5x"], pattern: /backoff_max must be/ },
    { args: ["config", "set", "max_retries"], pattern: /missing required argument 'value'/ },
    {
      args: ["config", "set", "lease_ms", "1500"],
      pattern: /lease_ms must be more than twice heartbeat_ms/,
    },
  ]);
  assertEquals((await cli(db, ["config", "show", "--json"])).stdout, before);
  const get = await cli(db, ["config", "get", "max_retries"]);
  assertEquals([get.code, get.stdout.trim()], [0, "7"]);
});

Deno.test("config set and get of an unknown key exit 2 and suggest the closest key", async () => {
  await using db = await tempDb();
  const before = (await cli(db, ["config", "show", "--json"])).stdout;
  const [far, close, get] = await expectRejected(db, [
    { args: ["config", "set", "nosuchkey", "1"], pattern: /unknown config key "nosuchkey"/ },
    { args: ["config", "set", "max_retry", "1"], pattern: /did you mean "max_retries"/ },
    { args: ["config", "get", "max-retry"], pattern: /did you mean "max_retries"/ },
  ]);
  ok(!far!.stderr.includes("did you mean"), far!.stderr);
  ok(close && get);
  assertEquals((await cli(db, ["config", "show", "--json"])).stdout, before);
});

// ---------------------------------------------------------------------------------------------
// worker

Deno.test("worker start rejects --count 0, 257 and x, and --processes above --count, with exit 2 before touching the database", async () => {
  await using db = await tempDb();
  const count = /--count must be an integer from 1 to 256/;
  await expectRejected(db, [
    { args: ["worker", "start", "--count", "0"], pattern: count },
    { args: ["worker", "start", "--count", "257"], pattern: count },
    {
      args: ["worker", "start", "--count", "2", "--processes", "3"],
      pattern: /--processes must be an integer from 1 to 2/,
    },
    { args: ["worker", "start", "--count", "x"], pattern: count },
    { args: ["worker", "start", "--count", "0", "--detach"], pattern: count },
  ]);
  // Nothing started and nothing created: not even the database file.
  await Deno.stat(db.path).then(
    () => Promise.reject(new Error("the database was created")),
    (err) => ok(err instanceof Deno.errors.NotFound),
  );
  // And none to list: reading creates no database either.
  assertOneLineError(await cli(db, ["worker", "list", "--json"]), 1, /no database at /);
});

// ---------------------------------------------------------------------------------------------
// the command line itself

Deno.test("no arguments prints the help and exits 2", async () => {
  await using db = await tempDb();
  const r = await cli(db, []);
  assertEquals(r.code, 2);
  ok(/Usage: queuectl/.test(r.stdout + r.stderr), r.stdout + r.stderr);
  ok((r.stdout + r.stderr).includes("enqueue"));
});

Deno.test("an unknown command exits 2 with one line that suggests the closest command", async () => {
  await using db = await tempDb();
  await expectRejected(db, [
    { args: ["statu"], pattern: /unknown command 'statu'.*status/ },
    { args: ["enqeue", "--command", "true"], pattern: /unknown command 'enqeue'.*enqueue/ },
    { args: ["dlq", "retyr", "x"], pattern: /unknown command 'retyr'.*retry/ },
    { args: ["config", "sett", "max_retries", "1"], pattern: /unknown command 'sett'.*set/ },
  ]);
  await assertNothingWritten(db);
});
