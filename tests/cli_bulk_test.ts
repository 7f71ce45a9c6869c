// Bulk cancel, delete and retry through the real CLI on a real KV: by ids and by each selector,
// the counts printed, the --json shapes, skipped jobs, ids not found, and a cancel of 20k
// scheduled jobs. Run over KV Connect with QUEUECTL_TEST_REMOTE=1.
import assert from "node:assert/strict";
import {
  assertOneLineError,
  cli,
  cliOk,
  statusCounts,
  type TempDb,
  tempDb,
  waitForJob,
  workersFor,
  ZERO_COUNTS,
} from "./helpers.ts";
import { keys } from "../src/store/keys.ts";

/** Enqueues `n` jobs from an NDJSON file of `spec`; returns nothing (ids come from `list`). */
async function enqueueMany(db: TempDb, n: number, spec: object, extra: string[] = []) {
  const file = `${db.dir}/specs-${crypto.randomUUID()}.ndjson`;
  await Deno.writeTextFile(file, (JSON.stringify(spec) + "\n").repeat(n));
  await cliOk(db, ["enqueue", "--file", file, ...extra]);
}

async function idsOf(db: TempDb, args: string[]): Promise<string[]> {
  const jobs = JSON.parse(await cliOk(db, ["list", ...args, "--json", "--limit", "1000"]));
  return jobs.map((j: { id: string }) => j.id);
}

Deno.test("bulk cancel by ids: counts, skipped, and ids not found named on one line (exit 1)", async () => {
  await using db = await tempDb();
  await enqueueMany(db, 3, { command: "true", delay: "1h" });
  const [a, b, c] = await idsOf(db, ["--state", "scheduled"]);
  await cliOk(db, ["cancel", c!]);
  const r = await cli(db, ["cancel", a!, "nope", b!, c!, "--json"]);
  assert.equal(r.code, 1);
  assert.deepEqual(JSON.parse(r.stdout), {
    canceled: 2,
    stopping: 0,
    skipped: 1,
    not_found: ["nope"],
  });
  assert.equal(r.stderr, "queuectl: 1 job(s) not found: nope\n");
  assert.deepEqual(await statusCounts(db), { ...ZERO_COUNTS, canceled: 3 });
  const again = await cli(db, ["cancel", a!, b!]);
  assert.equal(again.code, 0);
  assert.equal(again.stdout, "0 jobs canceled; 2 skipped (finished, or already stopping)\n");
});

Deno.test("bulk selectors: --state, --label, both, --all; no match is 0 and exit 0", async () => {
  await using db = await tempDb();
  await enqueueMany(db, 4, { command: "true", delay: "1h" }, ["--label", "batch=7"]);
  await enqueueMany(db, 2, { command: "true" }, ["--label", "batch=7"]);
  await enqueueMany(db, 3, { command: "true", delay: "1h" }, ["--label", "batch=8"]);
  await enqueueMany(db, 1, { command: "true" });

  assert.equal(
    await cliOk(db, ["cancel", "--state", "scheduled", "--label", "batch=7"]),
    "4 jobs canceled\n",
  );
  assert.equal(await cliOk(db, ["cancel", "--label", "nothing=here"]), "0 jobs canceled\n");
  assert.deepEqual(JSON.parse(await cliOk(db, ["retry", "--label", "batch=7", "--json"])), {
    requeued: 4,
    skipped: 2,
    not_found: [],
  });
  assert.deepEqual(await statusCounts(db), { ...ZERO_COUNTS, scheduled: 3, pending: 7 });
  assert.equal(await cliOk(db, ["cancel", "--state", "scheduled"]), "3 jobs canceled\n");
  assert.equal(
    await cliOk(db, ["delete", "--all"]),
    "3 jobs deleted; 7 skipped (not finished: cancel them first)\n",
  );
  assert.equal(await cliOk(db, ["cancel", "--all"]), "7 jobs canceled\n");
  assert.deepEqual(JSON.parse(await cliOk(db, ["delete", "--state", "canceled", "--json"])), {
    deleted: 7,
    skipped: 0,
    not_found: [],
  });
  assert.deepEqual(await statusCounts(db), ZERO_COUNTS);
  assertOneLineError(await cli(db, ["cancel"]), 2, /needs job ids/);
  assertOneLineError(await cli(db, ["cancel", "x", "--state", "pending"]), 2, /not both/);
  assertOneLineError(await cli(db, ["delete", "--all", "--label", "a=b"]), 2, /--all/);
  assertOneLineError(await cli(db, ["retry", "--state", "nope"]), 2, /unknown state/);
});

Deno.test({
  name: "retry re-runs a completed job with its history kept; bulk cancel skips finished jobs",
  sanitizeOps: false,
  sanitizeResources: false,
  fn: async () => {
    await using db = await tempDb();
    const id = (await cliOk(db, ["enqueue", "-c", "true", "--label", "r=1"])).trim();
    {
      await using _workers = workersFor(db, 1);
      await waitForJob(db, id, (j) => j.state === "completed");
      assert.equal(
        await cliOk(db, ["cancel", "--label", "r=1"]),
        "0 jobs canceled; 1 skipped (finished, or already stopping)\n",
      );
      assert.equal(await cliOk(db, ["retry", id]), `${id} is now pending\n`);
      const again = await waitForJob(db, id, (j) => j.state === "completed" && j.runs === 2);
      assert.equal(again.history.length, 2);
    }
    assertOneLineError(await cli(db, ["retry", "nope"]), 1, /not found/);
    await cliOk(db, ["enqueue", "-c", "true", "--id", "waiting", "--delay", "1h"]);
    assertOneLineError(
      await cli(db, ["retry", "waiting"]),
      1,
      /only a completed, dead or canceled job/,
    );
  },
});

Deno.test("delete by label removes the label index; doctor --repair rebuilds a lost entry", async () => {
  await using db = await tempDb();
  await enqueueMany(db, 5, { command: "true", labels: { batch: "7" } });
  await cliOk(db, ["enqueue", "-c", "true", "--id", "kept", "--label", "batch=8"]);
  assert.equal(await cliOk(db, ["cancel", "--label", "batch=7"]), "5 jobs canceled\n");
  assert.equal(await cliOk(db, ["delete", "--label", "batch=7"]), "5 jobs deleted\n");
  assert.deepEqual(await idsOf(db, ["--label", "batch=7"]), []);
  assert.match(await cliOk(db, ["doctor"]), /checked 1 job\(s\): 0 violation/);
  if (Deno.env.get("QUEUECTL_TEST_REMOTE") === "1") return; // the raw edit below is local
  const kv = await Deno.openKv(db.path);
  try {
    const job = (await kv.get<{ created_at: number }>(keys.job("kept"))).value!;
    assert.ok(
      (await kv.atomic().delete(keys.label("batch", "8", job.created_at, "kept")).commit()).ok,
    );
  } finally {
    kv.close();
  }
  assert.equal((await cli(db, ["doctor"])).code, 1);
  assert.match(await cliOk(db, ["doctor", "--repair"]), /repaired: 1 key/);
  assert.deepEqual(await idsOf(db, ["--label", "batch=8"]), ["kept"]);
});

Deno.test("cancel --state scheduled of 20k jobs, ten per atomic op (strict limits)", async () => {
  await using db = await tempDb();
  await enqueueMany(db, 20_000, { command: "true", delay: "1h" });
  const t0 = performance.now();
  assert.equal(await cliOk(db, ["cancel", "--state", "scheduled"]), "20000 jobs canceled\n");
  const seconds = (performance.now() - t0) / 1000;
  assert.deepEqual(await statusCounts(db), { ...ZERO_COUNTS, canceled: 20_000 });
  assert.ok(seconds < 30, `20k cancels took ${seconds.toFixed(1)} s`);
});
