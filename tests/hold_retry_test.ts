/**
 * End-to-end tests of `enqueue --hold`, `release ID` and `retry ID` through the real CLI, real KV
 * and real workers.
 *
 * @module
 */
import { deepStrictEqual, equal } from "node:assert/strict";
import {
  assertOneLineError,
  cli,
  cliOk,
  enqueueId,
  statusCounts,
  tempDb,
  waitForJob,
  workersFor,
  ZERO_COUNTS,
} from "./helpers.ts";

Deno.test("a held job never runs until release, then runs", async () => {
  await using db = await tempDb();
  const held = await enqueueId(db, ["--hold", "--command", "true"]);
  await using _workers = workersFor(db, 1);
  // A job enqueued later runs while the held one stays held.
  const other = await enqueueId(db, ["--command", "true"]);
  await waitForJob(db, other, (j) => j.state === "completed");
  equal((await waitForJob(db, held, () => true)).state, "held");
  equal((await cliOk(db, ["release", held])).trim(), `${held} is now pending`);
  const done = await waitForJob(db, held, (j) => j.state === "completed");
  equal(done.runs, 1);
  assertOneLineError(await cli(db, ["release", held]), 1, /is completed, not held/);
  assertOneLineError(await cli(db, ["release", "nope"]), 1, /job "nope" not found/);
});

Deno.test("a held job with an unfinished dependency is released into blocked", async () => {
  await using db = await tempDb();
  const a = await enqueueId(db, ["--hold", "--command", "true"]);
  const b = await enqueueId(db, ["--hold", "--after", a, "--command", "true"]);
  equal((await cliOk(db, ["release", b])).trim(), `${b} is now blocked`);
  await using _workers = workersFor(db, 1);
  await cliOk(db, ["release", a]);
  await waitForJob(db, b, (j) => j.state === "completed");
});

Deno.test("retry runs a completed, dead or canceled job again, its history kept", async () => {
  await using db = await tempDb();
  const ok = await enqueueId(db, ["--command", "true"]);
  const dead = await enqueueId(db, ["--command", "exit 4", "--max-retries", "0"]);
  const canceled = await enqueueId(db, ["--hold", "--command", "true"]);
  await cliOk(db, ["cancel", canceled]);
  {
    await using _workers = workersFor(db, 1);
    await waitForJob(db, ok, (j) => j.state === "completed");
    await waitForJob(db, dead, (j) => j.state === "dead");
  }
  for (const id of [ok, dead, canceled]) {
    equal((await cliOk(db, ["retry", id])).trim(), `${id} is now pending`);
  }
  await using _workers = workersFor(db, 1);
  const again = await waitForJob(db, ok, (j) => j.state === "completed" && j.runs === 2);
  deepStrictEqual([again.attempts, again.history.length], [1, 2]);
  const twice = await waitForJob(db, dead, (j) => j.state === "dead" && j.runs === 2);
  deepStrictEqual(twice.history.map((h) => h.exit_code), [4, 4]);
  const ran = await waitForJob(db, canceled, (j) => j.state === "completed");
  equal(ran.runs, 1);
});

Deno.test("retry of a job that is not final exits 1 and changes nothing", async () => {
  await using db = await tempDb();
  const held = await enqueueId(db, ["--hold", "--command", "true"]);
  const pending = await enqueueId(db, ["--command", "true"]);
  assertOneLineError(await cli(db, ["retry", held]), 1, /is held; only a completed/);
  assertOneLineError(await cli(db, ["retry", pending]), 1, /is pending; only a completed/);
  assertOneLineError(await cli(db, ["retry", "nope"]), 1, /job "nope" not found/);
  deepStrictEqual(await statusCounts(db), { ...ZERO_COUNTS, held: 1, pending: 1 });
});
