/**
 * Bad input and failed operations through the real CLI: exit 2 (bad input, nothing written) or
 * exit 1 (the operation failed), always one line on stderr and never a stack trace.
 */
import { deepStrictEqual as assertEquals, ok } from "node:assert/strict";
import { join } from "node:path";
import {
  assertOneLineError,
  cli,
  type CliResult,
  statusCounts,
  type TempDb,
  tempDb,
  ZERO_COUNTS,
} from "./helpers.ts";

interface Case {
  args: string[];
  pattern: RegExp;
  stdin?: string;
}

/** Runs every case at once and checks each failed with `code` and one matching line. */
async function expectRejected(db: TempDb, cases: Case[], code = 2): Promise<CliResult[]> {
  const results = await Promise.all(
    cases.map((c) => cli(db, c.args, c.stdin === undefined ? {} : { stdin: c.stdin })),
  );
  results.forEach((r, i) => {
    const c = cases[i]!;
    assertOneLineError(r, code, c.pattern, JSON.stringify(c.args));
  });
  return results;
}

/**
 * Creates the database with one process before others open it at once: several processes
 * creating a fresh database together can fail with "database is locked" (reported; the store's
 * open does not retry it yet), which is not what these tests are about.
 */
async function createDb(db: TempDb): Promise<void> {
  await statusCounts(db);
}

/** Asserts the queue holds no job at all. */
async function assertNothingWritten(db: TempDb): Promise<void> {
  assertEquals(await statusCounts(db), ZERO_COUNTS);
  const list = await cli(db, ["list", "--json"]);
  assertEquals([list.code, JSON.parse(list.stdout)], [0, []]);
}

/** The job as `show --json` prints it. */
async function showJob(db: TempDb, id: string): Promise<Record<string, unknown>> {
  const r = await cli(db, ["show", id, "--json"]);
  assertEquals(r.code, 0, r.stderr);
  return JSON.parse(r.stdout);
}

// ---------------------------------------------------------------------------------------------
// enqueue: invalid input

Deno.test("enqueue rejects malformed JSON, non-object JSON and a missing or blank command with exit 2 and writes nothing", async () => {
  await using db = await tempDb();
  await expectRejected(db, [
    { args: ["enqueue", '{"command": "echo hi"'], pattern: /invalid job JSON/ },
    { args: ["enqueue", "not json"], pattern: /invalid job JSON/ },
    { args: ["enqueue", '["echo hi"]'], pattern: /invalid job JSON: expected an object/ },
    { args: ["enqueue", "42"], pattern: /invalid job JSON: expected an object/ },
    { args: ["enqueue", "null"], pattern: /invalid job JSON: expected an object/ },
    { args: ["enqueue", "{}"], pattern: /non-empty "command"/ },
    { args: ["enqueue", '{"priority":5}'], pattern: /non-empty "command"/ },
    { args: ["enqueue"], pattern: /non-empty "command"/ },
    { args: ["enqueue", '{"command":""}'], pattern: /non-empty "command"/ },
    { args: ["enqueue", '{"command":"  \\t "}'], pattern: /non-empty "command"/ },
    { args: ["enqueue", "--command", "   "], pattern: /non-empty "command"/ },
    { args: ["enqueue", '{"command":42}'], pattern: /command must be a string/ },
  ]);
  await assertNothingWritten(db);
});

Deno.test("enqueue rejects an unknown field with exit 2, naming it and suggesting the right one", async () => {
  await using db = await tempDb();
  const [r] = await expectRejected(db, [
    { args: ["enqueue", '{"comand":"echo hi"}'], pattern: /"comand"/ },
    { args: ["enqueue", '{"command":"echo hi","prority":1}'], pattern: /"prority".*"priority"/ },
  ]);
  ok(/did you mean "command"/.test(r!.stderr), r!.stderr);
  await assertNothingWritten(db);
});

Deno.test("enqueue rejects a priority that is out of range, fractional or not a number with exit 2 and writes nothing", async () => {
  await using db = await tempDb();
  const priority = /priority must be an integer from -1000 to 1000/;
  await expectRejected(db, [
    { args: ["enqueue", "--command", "true", "--priority", "5000"], pattern: priority },
    { args: ["enqueue", "--command", "true", "--priority", "-1001"], pattern: priority },
    { args: ["enqueue", "--command", "true", "--priority", "1.5"], pattern: priority },
    { args: ["enqueue", "--command", "true", "--priority", "high"], pattern: priority },
    { args: ["enqueue", '{"command":"true","priority":5000}'], pattern: priority },
    { args: ["enqueue", '{"command":"true","priority":-1001}'], pattern: priority },
    { args: ["enqueue", '{"command":"true","priority":1.5}'], pattern: priority },
    { args: ["enqueue", '{"command":"true","priority":"high"}'], pattern: priority },
  ]);
  await assertNothingWritten(db);
});

Deno.test("enqueue rejects bad durations, delay together with run_at, and impossible or non-ISO dates with exit 2", async () => {
  await using db = await tempDb();
  const runAt = /run_at must be an ISO 8601 date/;
  await expectRejected(db, [
    { args: ["enqueue", "--command", "true", "--delay", "5x"], pattern: /delay .*"5x"/ },
    { args: ["enqueue", "--command", "true", "--timeout", "-1s"], pattern: /timeout .*"-1s"/ },
    { args: ["enqueue", '{"command":"true","timeout":"soon"}'], pattern: /timeout .*"soon"/ },
    {
      args: ["enqueue", '{"command":"true","delay":"5s","run_at":"2030-01-01T00:00:00Z"}'],
      pattern: /run_at or delay, not both/,
    },
    {
      args: ["enqueue", "--command", "true", "--delay", "5s", "--run-at", "2030-01-01T00:00:00Z"],
      pattern: /--delay or --run-at, not both/,
    },
    {
      args: ["enqueue", "--command", "true", "--run-at", "2026-13-45T00:00:00Z"],
      pattern: runAt,
    },
    { args: ["enqueue", "--command", "true", "--run-at", "yesterday"], pattern: runAt },
    { args: ["enqueue", '{"command":"true","run_at":"2026-02-30T00:00:00Z"}'], pattern: runAt },
  ]);
  await assertNothingWritten(db);
});

Deno.test("enqueue rejects invalid job ids and --max-retries values with exit 2 and writes nothing", async () => {
  await using db = await tempDb();
  const id = /job id must be 1-128 characters/;
  const retries = /max_retries must be an integer from 0 to 100/;
  await expectRejected(db, [
    { args: ["enqueue", "--command", "true", "--id", "has space"], pattern: id },
    { args: ["enqueue", "--command", "true", "--id", "x".repeat(129)], pattern: id },
    { args: ["enqueue", "--command", "true", "--id", "a/b"], pattern: id },
    { args: ["enqueue", '{"command":"true","id":""}'], pattern: id },
    { args: ["enqueue", "--command", "true", "--max-retries", "-1"], pattern: retries },
    { args: ["enqueue", "--command", "true", "--max-retries", "abc"], pattern: retries },
    { args: ["enqueue", "--command", "true", "--max-retries", "101"], pattern: retries },
  ]);
  await assertNothingWritten(db);
});

Deno.test("enqueue accepts an id of exactly 128 characters", async () => {
  await using db = await tempDb();
  const id = "a".repeat(128);
  const r = await cli(db, ["enqueue", "--command", "true", "--id", id]);
  assertEquals([r.code, r.stdout.trim(), r.stderr], [0, id, ""]);
});

Deno.test("enqueue rejects an unknown option with exit 2 and one line that suggests the real one", async () => {
  await using db = await tempDb();
  await expectRejected(db, [
    { args: ["enqueue", "--command", "true", "--prio", "5"], pattern: /unknown option '--prio'/ },
    {
      args: ["enqueue", "--command", "true", "--priorty", "5"],
      pattern: /unknown option '--priorty'.*--priority/,
    },
    { args: ["list", "--stat", "pending"], pattern: /unknown option '--stat'.*--state/ },
  ]);
  await assertNothingWritten(db);
});

Deno.test("enqueue --file with one bad line among good ones exits 2, names the line and writes none of them", async () => {
  await using db = await tempDb();
  const good = (n: number) => JSON.stringify({ command: `echo ${n}`, id: `good-${n}` });
  const lines = [good(1), good(2), "# a comment", "", '{"command":"echo 3","priority":5000}'];
  lines.push(good(4), good(5));
  const file = join(db.dir, "jobs.ndjson");
  await Deno.writeTextFile(file, lines.join("\n") + "\n");
  const badJson = [good(1), "{oops", good(2)].join("\n");
  const dup = [good(1), good(2), good(1)].join("\n");
  await expectRejected(db, [
    { args: ["enqueue", "--file", file], pattern: /line 5: priority must be an integer/ },
    { args: ["enqueue", "--file", "-"], stdin: badJson, pattern: /line 2: invalid job JSON/ },
    { args: ["enqueue", "--file", "-"], stdin: dup, pattern: /duplicate job id "good-1"/ },
  ]);
  await assertNothingWritten(db);
});

Deno.test("enqueue --file of a missing path exits 2 with one line naming it", async () => {
  await using db = await tempDb();
  const missing = join(db.dir, "no-such-file.ndjson");
  await expectRejected(db, [
    { args: ["enqueue", "--file", missing], pattern: new RegExp(`cannot read ${missing}`) },
    { args: ["enqueue", "--file", db.dir], pattern: /cannot read/ },
  ]);
  await assertNothingWritten(db);
});

Deno.test("enqueue --file - writes every job from standard input; an empty standard input exits 2", async () => {
  await using db = await tempDb();
  const [empty, blank] = await expectRejected(db, [
    { args: ["enqueue", "--file", "-"], stdin: "", pattern: /no job specs in standard input/ },
    { args: ["enqueue", "--file", "-"], stdin: "\n\n  \n", pattern: /no job specs/ },
  ]);
  ok(empty && blank);
  await assertNothingWritten(db);
  const input = Array.from({ length: 25 }, (_, i) => JSON.stringify({ command: `echo ${i}` }))
    .join("\n") + "\n";
  const r = await cli(db, ["enqueue", "--file", "-"], { stdin: input });
  assertEquals([r.code, r.stdout.trim(), r.stderr], [0, "enqueued 25 jobs", ""]);
  assertEquals(await statusCounts(db), { ...ZERO_COUNTS, pending: 25 });
});

// ---------------------------------------------------------------------------------------------
// operations that fail: exit 1

Deno.test("enqueue with an id that already exists exits 1 'already exists' and leaves the original job unchanged", async () => {
  await using db = await tempDb();
  const first = await cli(db, ["enqueue", '{"id":"dup","command":"echo first","priority":3}']);
  assertEquals(first.code, 0, first.stderr);
  const before = await showJob(db, "dup");
  await expectRejected(db, [
    {
      args: ["enqueue", "--id", "dup", "--command", "echo second"],
      pattern: /"dup" already exists/,
    },
    {
      args: ["enqueue", "--file", "-"],
      stdin: '{"id":"fresh","command":"true"}\n{"id":"dup","command":"echo third"}\n',
      pattern: /"dup" already exists/,
    },
  ], 1);
  assertEquals(await showJob(db, "dup"), before);
  assertEquals(await statusCounts(db), { ...ZERO_COUNTS, pending: 1 });
});

Deno.test("show, logs, cancel, delete and dlq retry of an unknown id exit 1 'not found'", async () => {
  await using db = await tempDb();
  await createDb(db);
  const notFound = /job "nope" not found/;
  await expectRejected(db, [
    { args: ["show", "nope"], pattern: notFound },
    { args: ["show", "nope", "--json"], pattern: notFound },
    { args: ["logs", "nope"], pattern: notFound },
    { args: ["cancel", "nope"], pattern: notFound },
    { args: ["delete", "nope"], pattern: notFound },
    { args: ["dlq", "retry", "nope"], pattern: notFound },
  ], 1);
  await assertNothingWritten(db);
});

Deno.test("dlq retry of a job that is not dead and delete of a pending job exit 1 and change nothing; dlq retry needs an id or --all (exit 2)", async () => {
  await using db = await tempDb();
  const r = await cli(db, ["enqueue", "--id", "p1", "--command", "true"]);
  assertEquals(r.code, 0, r.stderr);
  const before = await showJob(db, "p1");
  await expectRejected(db, [
    { args: ["dlq", "retry", "p1"], pattern: /"p1" is pending, not in the DLQ/ },
    { args: ["delete", "p1"], pattern: /"p1" is pending; cancel it/ },
  ], 1);
  await expectRejected(db, [
    { args: ["dlq", "retry"], pattern: /dlq retry takes a job id or --all/ },
    { args: ["dlq", "retry", "p1", "--all"], pattern: /dlq retry takes a job id or --all/ },
    { args: ["show"], pattern: /missing required argument 'id'/ },
    { args: ["show", "p1", "extra"], pattern: /too many arguments/ },
    { args: ["logs", "p1", "--attempt", "0"], pattern: /--attempt must be a positive integer/ },
  ]);
  assertEquals(await showJob(db, "p1"), before);
  assertEquals(await statusCounts(db), { ...ZERO_COUNTS, pending: 1 });
});

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

Deno.test("worker start rejects --count 0, 65 and x with exit 2 before touching the database", async () => {
  await using db = await tempDb();
  const count = /--count must be an integer from 1 to 64/;
  await expectRejected(db, [
    { args: ["worker", "start", "--count", "0"], pattern: count },
    { args: ["worker", "start", "--count", "65"], pattern: count },
    { args: ["worker", "start", "--count", "x"], pattern: count },
    { args: ["worker", "start", "--count", "0", "--detach"], pattern: count },
  ]);
  // Nothing started and nothing created: not even the database file.
  await Deno.stat(db.path).then(
    () => Promise.reject(new Error("the database was created")),
    (err) => ok(err instanceof Deno.errors.NotFound),
  );
  const workers = await cli(db, ["worker", "list", "--json"]);
  assertEquals([workers.code, JSON.parse(workers.stdout)], [0, []]);
});

// ---------------------------------------------------------------------------------------------
// the database

Deno.test("--db under a regular file or at a directory exits 1 with one clear line", async () => {
  await using db = await tempDb();
  const file = join(db.dir, "file.txt");
  await Deno.writeTextFile(file, "not a folder\n");
  const folder = join(db.dir, "a-folder");
  await Deno.mkdir(folder);
  const underFile = join(file, "q.kv");
  const cases: Case[] = [];
  for (const args of [["status"], ["enqueue", "--command", "true"], ["list", "--json"]]) {
    cases.push({ args: ["--db", underFile, ...args], pattern: /cannot create database folder/ });
    cases.push({ args: ["--db", folder, ...args], pattern: /cannot open database .*folder/ });
  }
  await expectRejected(db, cases, 1);
  assertEquals(await Deno.readTextFile(file), "not a folder\n");
  assertEquals([...Deno.readDirSync(folder)], []);
});

Deno.test("a corrupt database file exits 1 with one clear line, no stack trace, and is left as it was", async () => {
  await using db = await tempDb();
  const bytes = crypto.getRandomValues(new Uint8Array(16_384));
  bytes.set(new TextEncoder().encode("definitely not SQLite"));
  await Deno.writeFile(db.path, bytes);
  await expectRejected(db, [
    { args: ["status"], pattern: /cannot open database .*: file is not a database/ },
    { args: ["status", "--json"], pattern: /cannot open database/ },
    { args: ["enqueue", "--command", "true"], pattern: /cannot open database/ },
    { args: ["list"], pattern: /cannot open database/ },
    { args: ["config", "show"], pattern: /cannot open database/ },
    { args: ["worker", "start"], pattern: /cannot open database/ },
  ], 1);
  assertEquals(await Deno.readFile(db.path), bytes);
});

Deno.test("an unreachable remote database exits 1 with one clear line", async () => {
  await using db = await tempDb();
  // Port 9 (discard) on loopback: nothing listens, so the connection is refused at once.
  const url = "http://127.0.0.1:9/";
  const env = { DENO_KV_ACCESS_TOKEN: "test-token" };
  const results = await Promise.all([
    cli(db, ["--db", url, "status"], { env }),
    cli(db, ["list"], { env: { ...env, QUEUECTL_DB: url } }),
  ]);
  for (const r of results) {
    assertOneLineError(r, 1, /cannot open database http:\/\/127\.0\.0\.1:9\/: .*refused/i);
  }
});

Deno.test("QUEUECTL_DB is honoured and --db overrides it", async () => {
  await using db = await tempDb();
  const other = join(db.dir, "other", "q.kv");
  const [viaEnv, viaFlag] = await Promise.all([
    cli(db, ["enqueue", "--id", "in-env", "--command", "true"]),
    cli(db, ["--db", other, "enqueue", "--id", "in-flag", "--command", "true"]),
  ]);
  assertEquals([viaEnv.code, viaFlag.code], [0, 0], viaEnv.stderr + viaFlag.stderr);
  const [envList, flagList, flagAfter] = await Promise.all([
    cli(db, ["list", "--json"]),
    cli(db, ["--db", other, "list", "--json"]),
    cli(db, ["list", "--json", "--db", other]),
  ]);
  const ids = (r: CliResult) => JSON.parse(r.stdout).map((j: { id: string }) => j.id);
  assertEquals(ids(envList), ["in-env"]);
  assertEquals(ids(flagList), ["in-flag"]);
  assertEquals(ids(flagAfter), ["in-flag"]);
});

Deno.test("the database folder is created on first use with mode 0700 and the file with mode 0600", async () => {
  await using db = await tempDb();
  const folder = join(db.dir, "fresh", "nested");
  const path = join(folder, "queue.kv");
  const r = await cli(db, ["--db", path, "enqueue", "--command", "true"]);
  assertEquals(r.code, 0, r.stderr);
  assertEquals((await Deno.stat(folder)).mode! & 0o777, 0o700);
  assertEquals((await Deno.stat(join(db.dir, "fresh"))).mode! & 0o777, 0o700);
  assertEquals((await Deno.stat(path)).mode! & 0o777, 0o600);
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
