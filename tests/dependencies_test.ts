/**
 * End-to-end tests of `enqueue --after` through the real CLI, real KV and real workers: order,
 * fan-in and fan-out of 1,000 within the remote limits, cancellation down a chain, bad input,
 * doctor's straggler check and repair, and a propagation left undone by a crash.
 *
 * @module
 */
import { deepStrictEqual, equal, match, ok } from "node:assert/strict";
import { join } from "node:path";
import type { Job } from "../src/job.ts";
import { keys } from "../src/store/keys.ts";
import { Tx } from "../src/store/tx.ts";
import { applyTransition } from "../src/store/transition.ts";
import type { Store } from "../src/store/open.ts";
import {
  assertOneLineError,
  cli,
  cliOk,
  enqueueId,
  statusCounts,
  storeOf,
  tempDb,
  waitFor,
  waitForJob,
  workersFor,
  ZERO_COUNTS,
} from "./helpers.ts";

/** Writes `job` as `state` directly, as a crashed process would have left it. */
async function forceState(store: Store, id: string, change: Partial<Job>): Promise<void> {
  const current = await store.db.get<Job>(keys.job(id));
  const tx = new Tx().check(current.key, current.versionstamp);
  applyTransition(tx, current.value!, { ...current.value!, ...change });
  ok(await store.db.commit(tx));
}

Deno.test("a chain a -> b -> c runs in order, each after the one before completed", async () => {
  await using db = await tempDb();
  const out = join(db.dir, "order");
  const a = await enqueueId(db, ["--command", `sleep 0.3; echo a >> ${out}`]);
  const b = await enqueueId(db, ["--after", a, "--command", `echo b >> ${out}`]);
  const c = await enqueueId(db, ["--after", b, "--command", `echo c >> ${out}`]);
  equal((await statusCounts(db)).blocked, 2);
  await using _workers = workersFor(db, 2);
  const last = await waitForJob(db, c, (j) => j.state === "completed");
  equal(await Deno.readTextFile(out), "a\nb\nc\n");
  deepStrictEqual(last.after, [b]);
  const first = await waitForJob(db, a, (j) => j.state === "completed");
  ok(Date.parse(last.started_at) >= Date.parse(first.finished_at));
});

Deno.test("one job after 1,000 and 1,000 jobs after one run within the remote limits", async () => {
  await using db = await tempDb();
  const parents = Array.from({ length: 1000 }, (_, i) => `p${i}`);
  const lines = [
    ...parents.map((id) => JSON.stringify({ id, command: "true" })),
    JSON.stringify({ id: "hub", command: "true", after: parents }),
    ...parents.map((_, i) => JSON.stringify({ id: `c${i}`, command: "true", after: ["hub"] })),
  ];
  const file = join(db.dir, "fan.ndjson");
  await Deno.writeTextFile(file, lines.join("\n") + "\n");
  equal((await cliOk(db, ["enqueue", "--file", file])).trim(), "enqueued 2001 jobs");
  deepStrictEqual(await statusCounts(db), { ...ZERO_COUNTS, pending: 1000, blocked: 1001 });
  await using _workers = workersFor(db, 2);
  await waitFor(async () => (await statusCounts(db)).completed === 2001, {
    timeoutMs: 240_000,
    intervalMs: 500,
    what: "all 2,001 jobs completed",
  });
  const doctor = JSON.parse(await cliOk(db, ["doctor", "--json"]));
  deepStrictEqual(doctor.violations, []);
});

Deno.test("a dead dependency cancels its dependents down the chain, saying why", async () => {
  await using db = await tempDb();
  const a = await enqueueId(db, ["--command", "exit 3", "--max-retries", "0"]);
  const b = await enqueueId(db, ["--after", a, "--command", "true"]);
  const c = await enqueueId(db, ["--after", b, "--command", "true"]);
  await using _workers = workersFor(db, 1);
  const last = await waitForJob(db, c, (j) => j.state === "canceled");
  equal(last.last_error, `dependency ${b} ended canceled`);
  equal(
    (await waitForJob(db, b, (j) => j.state === "canceled")).last_error,
    `dependency ${a} ended dead`,
  );
  // A dependency already dead cancels a new dependent at once; one completed counts as done.
  const d = await enqueueId(db, ["--after", a, "--command", "true", "--json"]);
  equal(JSON.parse(d).state, "canceled");
  const e = await enqueueId(db, ["--command", "true"]);
  await waitForJob(db, e, (j) => j.state === "completed");
  const f = await enqueueId(db, ["--after", e, "--command", "true"]);
  await waitForJob(db, f, (j) => j.state === "completed");
});

Deno.test("an unknown dependency exits 1 with nothing written; bad --after input exits 2", async () => {
  await using db = await tempDb();
  const a = await enqueueId(db, ["--command", "true", "--hold"]);
  assertOneLineError(
    await cli(db, ["enqueue", "--after", `${a},nope`, "--command", "true"]),
    1,
    /job "nope" not found/,
  );
  const file = join(db.dir, "specs.ndjson");
  await Deno.writeTextFile(
    file,
    `{"id":"x","command":"true"}\n{"command":"true","after":["x","ghost"]}\n`,
  );
  assertOneLineError(await cli(db, ["enqueue", "--file", file]), 1, /job "ghost" not found/);
  deepStrictEqual(await statusCounts(db), { ...ZERO_COUNTS, held: 1 });
  for (const bad of ["", "a,,b", "a,", "not an id"]) {
    assertOneLineError(await cli(db, ["enqueue", "--after", bad, "--command", "true"]), 2);
  }
  assertOneLineError(await cli(db, ["enqueue", '{"command":"true","after":[]}']), 2, /after/);
  deepStrictEqual(await statusCounts(db), { ...ZERO_COUNTS, held: 1 });
});

Deno.test("cancel of a blocked job works, and a canceled job cancels its dependents", async () => {
  await using db = await tempDb();
  const a = await enqueueId(db, ["--command", "true", "--hold"]);
  const b = await enqueueId(db, ["--after", a, "--command", "true"]);
  const c = await enqueueId(db, ["--after", b, "--command", "true"]);
  equal((await cliOk(db, ["cancel", b])).trim(), `${b} canceled`);
  const shown = await waitForJob(db, c, (j) => j.state === "canceled");
  equal(shown.last_error, `dependency ${b} ended canceled`);
  deepStrictEqual(await statusCounts(db), { ...ZERO_COUNTS, held: 1, canceled: 2 });
});

Deno.test("doctor finds a blocked job whose dependencies all ended and --repair releases it", async () => {
  await using db = await tempDb();
  const a = await enqueueId(db, ["--command", "true", "--hold"]);
  const b = await enqueueId(db, ["--after", a, "--command", "true"]);
  {
    // A propagation that was lost: a completed without its marker, and the edge gone.
    await using store = await storeOf(db);
    await forceState(store, a, {
      state: "completed",
      finished_at: Date.now(),
      dependents: undefined,
    });
    await store.db.commit(new Tx().delete(keys.dep(a, b)));
  }
  const found = JSON.parse((await cli(db, ["doctor", "--json"])).stdout);
  deepStrictEqual(found.violations.map((v: { kind: string }) => v.kind), ["blocked_straggler"]);
  const repaired = JSON.parse((await cli(db, ["doctor", "--repair", "--json"])).stdout);
  deepStrictEqual(repaired.violations, []);
  equal((await waitForJob(db, b, () => true)).state, "pending");
});

Deno.test("a propagation a crash left undone is finished by a worker's maintenance", async () => {
  await using db = await tempDb();
  const a = await enqueueId(db, ["--command", "true", "--hold"]);
  const children: string[] = [];
  for (let i = 0; i < 12; i++) children.push(await enqueueId(db, ["--after", a, "-c", "true"]));
  {
    // What a kill -9 right after the finish commit leaves: a completed, its marker, every edge.
    await using store = await storeOf(db);
    await forceState(store, a, { state: "completed", finished_at: Date.now() });
    ok((await store.db.get(keys.depDone(a))).value);
  }
  await using _workers = workersFor(db, 1);
  await waitFor(async () => (await statusCounts(db)).completed === 13, {
    timeoutMs: 30_000,
    what: "the 12 dependents released and run",
  });
  match(JSON.stringify(JSON.parse(await cliOk(db, ["doctor", "--json"])).violations), /^\[\]$/);
});
