/**
 * `queuectl wait`, `enqueue --wait` and `logs --follow`'s exit codes, through the real CLI and
 * real workers. Run it over KV Connect with `QUEUECTL_TEST_REMOTE=1`.
 *
 * @module
 */
import { deepStrictEqual, equal, ok } from "node:assert/strict";
import {
  assertOneLineError,
  cli,
  cliOk,
  type TempDb,
  tempDb,
  waitForJob,
  workersFor,
} from "./helpers.ts";

async function enqueue(db: TempDb, args: string[]): Promise<string> {
  return (await cliOk(db, ["enqueue", "--max-retries", "0", ...args])).trim();
}

const lines = (text: string) => text.trim().split("\n").map((l) => JSON.parse(l));

Deno.test("wait exits with the job's own code: 7 for a job that exits 7, 0 for one that succeeds", async () => {
  await using db = await tempDb();
  const seven = await enqueue(db, ["--command", "exit 7"]);
  const fine = await enqueue(db, ["--command", "true"]);
  await using _workers = workersFor(db, 1);
  const r = await cli(db, ["wait", seven]);
  deepStrictEqual([r.code, r.stdout, r.stderr], [7, "", ""]);
  equal((await cli(db, ["wait", fine])).code, 0);
  equal((await cli(db, ["wait", fine, seven])).code, 1, "several, one failed");
  const json = await cli(db, ["wait", fine, seven, "--json"]);
  equal(json.code, 1);
  const [a, b] = lines(json.stdout);
  deepStrictEqual([a.id, a.state, a.exit_code, a.exit], [fine, "completed", 0, 0]);
  deepStrictEqual([b.id, b.state, b.exit_code, b.exit], [seven, "dead", 7, 7]);
});

Deno.test("wait wakes within a moment of the job's end, though its fallback poll is a minute", async () => {
  await using db = await tempDb();
  await using _workers = workersFor(db, 1);
  const id = await enqueue(db, ["--command", "sleep 1.5"]);
  const r = await cli(db, ["wait", id, "--json"], { env: { QUEUECTL_WAIT_POLL: "60s" } });
  const returned = Date.now();
  equal(r.code, 0, r.stderr);
  const [out] = lines(r.stdout);
  const late = returned - Date.parse(out.finished_at);
  // The process also has to exit; a polled wait would have taken up to 60 s.
  ok(late < 400, `wait returned ${late} ms after the job ended`);
});

Deno.test("wait --any returns when the first job ends; --timeout gives up with 124", async () => {
  await using db = await tempDb();
  const slow = await enqueue(db, ["--command", "sleep 30"]);
  const quick = await enqueue(db, ["--command", "exit 3", "--priority", "5"]);
  await using _workers = workersFor(db, 2);
  const any = await cli(db, ["wait", slow, quick, "--any"]);
  equal(any.code, 3, "the first to end decides");
  await waitForJob(db, slow, (j) => j.state === "processing");
  const t0 = Date.now();
  const timedOut = await cli(db, ["wait", slow, "--timeout", "300ms", "--json"]);
  ok(Date.now() - t0 < 5000);
  equal(timedOut.code, 124);
  equal(lines(timedOut.stdout)[0].state, "processing");
  ok(timedOut.stderr.includes("timed out after 0.3s"), timedOut.stderr);
  await cliOk(db, ["cancel", slow]);
  equal((await cli(db, ["wait", slow])).code, 121, "canceled");
});

Deno.test("wait exits 120 for a job that died without an exit code (its attempt timed out)", async () => {
  await using db = await tempDb();
  const id = await enqueue(db, ["--command", "sleep 10", "--timeout", "200ms"]);
  await using _workers = workersFor(db, 1);
  const r = await cli(db, ["wait", id, "--json"]);
  equal(r.code, 120);
  deepStrictEqual([lines(r.stdout)[0].state, lines(r.stdout)[0].exit_code], ["dead", null]);
});

Deno.test("wait refuses an unknown id (exit 1), no id or a bad --timeout (exit 2), with one line", async () => {
  await using db = await tempDb();
  const id = await enqueue(db, ["--command", "true"]);
  assertOneLineError(await cli(db, ["wait", id, "nope"]), 1, /job "nope" not found/);
  assertOneLineError(await cli(db, ["wait"]), 2, /missing required argument/);
  assertOneLineError(await cli(db, ["wait", id, "--timeout", "soon"]), 2, /--timeout/);
});

Deno.test("enqueue --wait prints the id, waits, and exits with the job's code", async () => {
  await using db = await tempDb();
  await using _workers = workersFor(db, 1);
  const r = await cli(db, ["enqueue", "--command", "exit 4", "--max-retries", "0", "--wait"]);
  equal(r.code, 4, r.stderr);
  equal((await waitForJob(db, r.stdout.trim(), (j) => j.state === "dead")).exit_code, 4);
  const ok0 = await cli(db, ["enqueue", "--command", "true", "--wait", "--json"]);
  equal(ok0.code, 0);
  const [queued, outcome] = lines(ok0.stdout);
  deepStrictEqual([queued.state, outcome.id, outcome.state], ["pending", queued.id, "completed"]);
});

Deno.test("enqueue --file --wait waits for every job it enqueued: 0 when all completed, 1 when one did not", async () => {
  await using db = await tempDb();
  await using _workers = workersFor(db, 2);
  const good = '{"command":"true"}\n'.repeat(5);
  const all = await cli(db, ["enqueue", "--file", "-", "--wait"], { stdin: good });
  deepStrictEqual([all.code, all.stdout], [0, "enqueued 5 jobs\n"]);
  const one = await cli(db, ["enqueue", "--file", "-", "--wait", "--max-retries", "0", "--json"], {
    stdin: good + '{"id":"bad","command":"exit 6"}\n',
  });
  equal(one.code, 1, one.stderr);
  const [head, ...outcomes] = lines(one.stdout);
  deepStrictEqual([head.enqueued, head.ids.length, head.ids.at(-1)], [6, 6, "bad"]);
  const states = outcomes.map((o) => o.state).sort();
  deepStrictEqual(states, [
    "completed",
    "completed",
    "completed",
    "completed",
    "completed",
    "dead",
  ]);
});

Deno.test("logs --follow ends with the job's exit code after following its retries", async () => {
  await using db = await tempDb();
  const id = (await cliOk(db, [
    "enqueue",
    "--command",
    "echo run; exit 9",
    "--max-retries",
    "1",
  ])).trim();
  await cliOk(db, ["config", "set", "backoff_base", "1"]);
  await using _workers = workersFor(db, 1);
  const r = await cli(db, ["logs", id, "--follow"]);
  deepStrictEqual([r.code, r.stdout], [9, "run\nrun\n"]);
  const done = (await cliOk(db, ["enqueue", "--command", "echo fine"])).trim();
  const ok0 = await cli(db, ["logs", done, "--follow"]);
  deepStrictEqual([ok0.code, ok0.stdout], [0, "fine\n"]);
});

Deno.test("wait on 12 jobs (more than one read or watch holds) exits 0 once all completed", async () => {
  await using db = await tempDb();
  const stdin = Array.from({ length: 12 }, (_, i) => `{"id":"j${i}","command":"true"}\n`).join("");
  await cliOk(db, ["enqueue", "--file", "-"], { stdin });
  const ids = Array.from({ length: 12 }, (_, i) => `j${i}`);
  const waiting = cli(db, ["wait", ...ids, "--json"]);
  await using _workers = workersFor(db, 2);
  const r = await waiting;
  equal(r.code, 0, r.stderr);
  deepStrictEqual(lines(r.stdout).map((o) => [o.id, o.state]), ids.map((id) => [id, "completed"]));
});
