/**
 * Bad job input through the real CLI: job specs that enqueue rejects from arguments, flags,
 * files and standard input (exit 2, nothing written), and job ids that name no job, an existing
 * job or a job in the wrong state (exit 1), always one line on stderr and never a stack trace.
 */
import { deepStrictEqual as assertEquals, ok } from "node:assert/strict";
import { join } from "node:path";
import { cli, createDb, statusCounts, type TempDb, tempDb, ZERO_COUNTS } from "./helpers.ts";
import { assertNothingWritten, expectRejected } from "./cli_rejects.ts";

/** The job as `show --json` prints it. */
async function showJob(db: TempDb, id: string): Promise<Record<string, unknown>> {
  const r = await cli(db, ["show", id, "--json"]);
  assertEquals(r.code, 0, r.stderr);
  return JSON.parse(r.stdout);
}

// ---------------------------------------------------------------------------------------------
// enqueue: invalid input

Deno.test("enqueue rejects malformed JSON and a missing or blank command with exit 2 and writes nothing", async () => {
  await using db = await tempDb();
  await expectRejected(db, [
    { args: ["enqueue", '{"command": "echo hi"'], pattern: /invalid job JSON/ },
    { args: ["enqueue", "{ echo hi; }"], pattern: /starts with \{ goes in --command\)$/ },
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

Deno.test("enqueue refuses the ids . and .. (which /api/jobs/.. cannot name) from flags, JSON and files with exit 2", async () => {
  await using db = await tempDb();
  const dots = /job id must not be "\." or "\.\."/;
  await expectRejected(db, [
    { args: ["enqueue", "--command", "true", "--id", "."], pattern: dots },
    { args: ["enqueue", '{"command":"true","id":".."}'], pattern: dots },
    {
      args: ["enqueue", "--file", "-"],
      stdin: '{"command":"true","id":"fine"}\n{"command":"true","id":".."}\n',
      pattern: new RegExp(`line 2: ${dots.source}`),
    },
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
