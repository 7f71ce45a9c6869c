/**
 * The CLI contract's happy paths for jobs through the real CLI: what scripts rely on (generated
 * ids, JSON shapes, states, paging, cancel, delete and purge, scheduling and the DLQ).
 */
import { deepStrictEqual as assertEquals, ok } from "node:assert/strict";
import { cli, createDb, statusCounts, tempDb, ZERO_COUNTS } from "./helpers.ts";
import { type Json, json, ok0 } from "./cli_quiet.ts";

const ULID = /^[0-9A-HJKMNP-TV-Z]{26}$/;
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const JOB_FIELDS = [
  "id",
  "command",
  "state",
  "attempts",
  "max_retries",
  "priority",
  "run_at",
  "timeout",
  "created_at",
  "updated_at",
  "started_at",
  "finished_at",
  "exit_code",
  "last_error",
  "worker",
];

const ids = (jobs: Json[]) => jobs.map((j) => j.id);

Deno.test("enqueue of a JSON spec prints the new job's generated id and stores its fields", async () => {
  await using db = await tempDb();
  const id = (await ok0(db, ["enqueue", '{"command":"echo hi","priority":5}'])).trim();
  ok(ULID.test(id), `expected a ULID, got ${JSON.stringify(id)}`);
  const job = await json(db, ["show", id, "--json"]);
  assertEquals(
    [job.id, job.command, job.priority, job.state, job.attempts, job.max_retries],
    [id, "echo hi", 5, "pending", 0, 3],
  );
  // Two generated ids never collide and sort by creation.
  const next = (await ok0(db, ["enqueue", "--command", "echo again"])).trim();
  ok(ULID.test(next) && next > id, `${next} should sort after ${id}`);
});

Deno.test("enqueue flags override the JSON spec's fields", async () => {
  await using db = await tempDb();
  const spec = JSON.stringify({
    id: "from-json",
    command: "echo json",
    priority: 1,
    max_retries: 1,
    timeout: "10s",
    run_at: "2030-01-01T00:00:00Z",
  });
  const job = await json(db, [
    "enqueue",
    spec,
    "--id",
    "from-flags",
    "--command",
    "echo flags",
    "--priority",
    "-7",
    "--max-retries",
    "0",
    "--timeout",
    "1m",
    "--delay",
    "2h",
    "--json",
  ]);
  assertEquals(
    [job.id, job.command, job.priority, job.max_retries, job.timeout, job.state],
    ["from-flags", "echo flags", -7, 0, 60, "scheduled"],
  );
  const runAt = Date.parse(job.run_at as string);
  ok(Math.abs(runAt - (Date.now() + 2 * 3_600_000)) < 60_000, `run_at ${job.run_at}`);
  assertEquals((await cli(db, ["show", "from-json"])).code, 1);
});

Deno.test("enqueue --json prints the job with the contract's snake_case fields and ISO 8601 times", async () => {
  await using db = await tempDb();
  const before = Date.now();
  const job = await json(db, [
    "enqueue",
    '{"command":"echo hi","priority":5,"timeout":"30s","max_retries":2}',
    "--id",
    "j1",
    "--json",
  ]);
  for (const field of JOB_FIELDS) ok(field in job, `missing field ${field}`);
  ok(!Object.keys(job).some((k) => /[A-Z]/.test(k)), `camelCase field in ${Object.keys(job)}`);
  for (const field of ["run_at", "created_at", "updated_at"]) {
    ok(ISO.test(job[field] as string), `${field}: ${job[field]}`);
    ok(Date.parse(job[field] as string) >= before - 1000, field);
  }
  assertEquals(
    {
      id: job.id,
      command: job.command,
      state: job.state,
      attempts: job.attempts,
      max_retries: job.max_retries,
      priority: job.priority,
      timeout: job.timeout,
      started_at: job.started_at,
      finished_at: job.finished_at,
      exit_code: job.exit_code,
      last_error: job.last_error,
      worker: job.worker,
    },
    {
      id: "j1",
      command: "echo hi",
      state: "pending",
      attempts: 0,
      max_retries: 2,
      priority: 5,
      timeout: 30,
      started_at: null,
      finished_at: null,
      exit_code: null,
      last_error: null,
      worker: null,
    },
  );
  // `list --json` and `show --json` print the same job object; `show` adds the history and the
  // names of the job's variables.
  const [listed, shown] = await Promise.all([
    json<Json[]>(db, ["list", "--json"]),
    json(db, ["show", "j1", "--json"]),
  ]);
  assertEquals(listed, [job]);
  const { history, env_names, ...rest } = shown;
  assertEquals([rest, history, env_names], [job, [], []]);
});

Deno.test("list, dlq list and worker list --json print JSON arrays; status --json prints counts and workers", async () => {
  await using db = await tempDb();
  await ok0(db, ["enqueue", "--id", "a", "--command", "true"]);
  await ok0(db, ["enqueue", "--id", "b", "--command", "true", "--delay", "1h"]);
  const [list, dlq, workers, status, show] = await Promise.all([
    json<Json[]>(db, ["list", "--json"]),
    json<Json[]>(db, ["dlq", "list", "--json"]),
    json<Json[]>(db, ["worker", "list", "--json"]),
    json(db, ["status", "--json"]),
    json(db, ["show", "a", "--json"]),
  ]);
  assertEquals(ids(list), ["a", "b"]);
  assertEquals([dlq, workers], [[], []]);
  assertEquals(Object.keys(status).sort(), ["counts", "queues", "workers"]);
  assertEquals(status.counts, { ...ZERO_COUNTS, pending: 1, scheduled: 1 });
  assertEquals(status.workers, []);
  ok(Array.isArray(show.history), "show --json has a history array");
});

Deno.test("list --state pending --limit 2 pages through the jobs in order with --after", async () => {
  await using db = await tempDb();
  const input = ["p1", "p2", "p3", "p4", "p5"]
    .map((id) => JSON.stringify({ id, command: `echo ${id}` }))
    .join("\n");
  assertEquals((await ok0(db, ["enqueue", "--file", "-"], input)).trim(), "enqueued 5 jobs");
  await ok0(db, ["enqueue", "--id", "s1", "--command", "true", "--delay", "1h"]);
  const page = (after?: string) =>
    json<Json[]>(db, [
      "list",
      "--state",
      "pending",
      "--limit",
      "2",
      "--json",
      ...(after ? ["--after", after] : []),
    ]);
  const first = await page();
  assertEquals(ids(first), ["p1", "p2"]);
  const [second, third] = await Promise.all([page("p2"), page("p4")]);
  assertEquals([ids(second), ids(third)], [["p3", "p4"], ["p5"]]);
  assertEquals(await page("p5"), []);
  // The text form tells a person how to get the next page.
  const text = await ok0(db, ["list", "--state", "pending", "--limit", "2"]);
  ok(text.includes("--after p2"), text);
  ok(!(await ok0(db, ["list", "--state", "pending"])).includes("--after"));
});

Deno.test("cancel moves a pending job to canceled; delete then removes it", async () => {
  await using db = await tempDb();
  await ok0(db, ["enqueue", "--id", "c1", "--command", "true"]);
  assertEquals((await ok0(db, ["cancel", "c1"])).trim(), "c1 canceled");
  const job = await json(db, ["show", "c1", "--json"]);
  assertEquals(job.state, "canceled");
  assertEquals(await statusCounts(db), { ...ZERO_COUNTS, canceled: 1 });
  assertEquals((await ok0(db, ["delete", "c1"])).trim(), "c1 deleted");
  const gone = await cli(db, ["show", "c1"]);
  assertEquals([gone.code, gone.stderr.trim()], [1, 'queuectl: job "c1" not found']);
  assertEquals(await statusCounts(db), ZERO_COUNTS);
});

Deno.test("purge --state canceled deletes every canceled job and nothing else", async () => {
  await using db = await tempDb();
  const input = ["k1", "k2", "k3", "keep"]
    .map((id) => JSON.stringify({ id, command: "true" }))
    .join("\n");
  await ok0(db, ["enqueue", "--file", "-"], input);
  await Promise.all(["k1", "k2", "k3"].map((id) => ok0(db, ["cancel", id])));
  assertEquals(await statusCounts(db), { ...ZERO_COUNTS, pending: 1, canceled: 3 });
  // An age limit keeps jobs that were canceled just now.
  assertEquals(
    (await ok0(db, ["purge", "--state", "canceled", "--older-than", "7d"])).trim(),
    "purged 0 job(s)",
  );
  assertEquals((await ok0(db, ["purge", "--state", "canceled"])).trim(), "purged 3 job(s)");
  assertEquals(await statusCounts(db), { ...ZERO_COUNTS, pending: 1 });
  assertEquals(ids(await json<Json[]>(db, ["list", "--json"])), ["keep"]);
});

Deno.test("enqueue --delay 1h makes a scheduled job due in an hour; --run-at sets the exact time", async () => {
  await using db = await tempDb();
  await createDb(db); // By one process first: several at once could meet "database is locked".
  const before = Date.now();
  const [delayed, at] = await Promise.all([
    json(db, ["enqueue", "--command", "true", "--delay", "1h", "--json"]),
    json(db, ["enqueue", "--command", "true", "--run-at", "2030-06-01T12:00:00Z", "--json"]),
  ]);
  assertEquals([delayed.state, at.state], ["scheduled", "scheduled"]);
  const due = Date.parse(delayed.run_at as string);
  ok(due >= before + 3_600_000 && due <= Date.now() + 3_600_000, `run_at ${delayed.run_at}`);
  assertEquals(at.run_at, "2030-06-01T12:00:00.000Z");
  assertEquals(await statusCounts(db), { ...ZERO_COUNTS, scheduled: 2 });
});

Deno.test("dlq retry --all and dlq purge on an empty DLQ succeed and do nothing", async () => {
  await using db = await tempDb();
  await createDb(db); // By one process first: several at once could meet "database is locked".
  const [retry, purge] = await Promise.all([
    ok0(db, ["dlq", "retry", "--all"]),
    ok0(db, ["dlq", "purge"]),
  ]);
  assertEquals([retry.trim(), purge.trim()], ["requeued 0 job(s)", "purged 0 job(s)"]);
});
