// Labels through the real CLI on a real KV: stored, indexed, listed, counted and served by the
// API through the index; bad labels refused with nothing written.
import assert from "node:assert/strict";
import { assertOneLineError, cli, cliOk, statusCounts, tempDb, ZERO_COUNTS } from "./helpers.ts";
import { get, jsonOf, webFixture } from "./web_fixture.ts";
import { enqueue, spec } from "./factory.ts";

Deno.test("labels: enqueue stores them, list and status select by them, with --state", async () => {
  await using db = await tempDb();
  const a = (await cliOk(db, ["enqueue", "-c", "true", "--label", "batch=7", "--label", "t=x"]))
    .trim();
  await cliOk(db, ["enqueue", "-c", "true", "--label", "batch=7", "--delay", "1h"]);
  await cliOk(db, ["enqueue", "-c", "true", "--label", "batch=8"]);
  await cliOk(db, ["enqueue", '{"command":"true","labels":{"batch":"7","note":"a b=c"}}']);
  const file = `${db.dir}/specs.ndjson`;
  await Deno.writeTextFile(file, '{"command":"true","labels":{"batch":"9"}}\n{"command":"true"}\n');
  await cliOk(db, ["enqueue", "--file", file, "--label", "src=file"]);

  const shown = JSON.parse(await cliOk(db, ["show", a, "--json"]));
  assert.deepEqual(shown.labels, { batch: "7", t: "x" });
  const seven = JSON.parse(await cliOk(db, ["list", "--label", "batch=7", "--json"]));
  assert.equal(seven.length, 3);
  const pending = JSON.parse(
    await cliOk(db, ["list", "--label", "batch=7", "--state", "pending", "--json"]),
  );
  assert.equal(pending.length, 2);
  assert.equal(pending[0].id, a); // oldest enqueued first
  const fromFile = JSON.parse(await cliOk(db, ["list", "--label", "src=file", "--json"]));
  assert.equal(fromFile.length, 2);
  assert.deepEqual(fromFile[0].labels, { batch: "9", src: "file" });

  const counts = JSON.parse(await cliOk(db, ["status", "--label", "batch=7", "--json"]));
  assert.deepEqual(counts, {
    label: { batch: "7" },
    counts: { ...ZERO_COUNTS, pending: 2, scheduled: 1 },
  });
  assert.match(await cliOk(db, ["doctor"]), /0 violation/);
});

Deno.test("labels: a bad label is one line, exit 2, and nothing is written", async () => {
  await using db = await tempDb();
  await cliOk(db, ["enqueue", "-c", "true"]); // the database exists
  const bad = [
    ["--label", "batch"],
    ["--label", "batch="],
    ["--label", "=7"],
    ["--label", "a b=1"],
    ["--label", "a=1", "--label", "a=2"],
    ...[Array.from({ length: 17 }, (_, i) => ["--label", `k${i}=v`]).flat()],
  ];
  for (const args of bad) {
    assertOneLineError(
      await cli(db, ["enqueue", "-c", "true", ...args]),
      2,
      /label/,
      args.join(" "),
    );
  }
  assertOneLineError(
    await cli(db, ["enqueue", '{"command":"true","labels":{"a":1}}']),
    2,
    /label "a"/,
  );
  assertOneLineError(await cli(db, ["list", "--label", "nope"]), 2, /key=value/);
  assert.deepEqual(await statusCounts(db), { ...ZERO_COUNTS, pending: 1 });
});

Deno.test("labels: GET /api/jobs?label= pages through the index, with a state", async () => {
  await using web = await webFixture();
  const now = Date.now();
  await enqueue(web.store, [
    spec({ command: "a", labels: { batch: "7" } }),
    spec({ command: "b", labels: { batch: "7" }, run_at: now + 3_600_000 }),
    spec({ command: "c", labels: { batch: "8" } }),
    spec({ command: "d", labels: { batch: "7" } }),
  ], now);
  const page1 = await jsonOf<{ jobs: { command: string }[]; next_cursor: string | null }>(
    await web.handle(get("/api/jobs?label=batch%3D7&limit=2")),
    200,
  );
  assert.deepEqual(page1.jobs.map((j) => j.command), ["a", "b"]);
  const page2 = await jsonOf<{ jobs: { command: string }[] }>(
    await web.handle(get(`/api/jobs?label=batch%3D7&limit=2&cursor=${page1.next_cursor}`)),
    200,
  );
  assert.deepEqual(page2.jobs.map((j) => j.command), ["d"]);
  const scheduled = await jsonOf<{ jobs: { command: string }[] }>(
    await web.handle(get("/api/jobs?label=batch%3D7&state=scheduled")),
    200,
  );
  assert.deepEqual(scheduled.jobs.map((j) => j.command), ["b"]);
  assert.equal((await web.handle(get("/api/jobs?label=batch"))).status, 400);
});
