/**
 * End-to-end tests of `enqueue --unique-key` (and `--unique-for`) through the real CLI, real KV
 * and real workers. `QUEUECTL_TEST_REMOTE=1` runs them over KV Connect.
 *
 * @module
 */
import { deepStrictEqual, equal, match } from "node:assert/strict";
import {
  assertOneLineError,
  cli,
  cliOk,
  createDb,
  enqueueId,
  statusCounts,
  tempDb,
  waitFor,
  waitForJob,
  workersFor,
  ZERO_COUNTS,
} from "./helpers.ts";

Deno.test("a duplicate unique key is refused while pending and accepted after completion", async () => {
  await using db = await tempDb();
  const first = await enqueueId(db, ["--unique-key", "nightly", "--command", "true"]);
  const again = await cli(db, ["enqueue", "--unique-key", "nightly", "--command", "true"]);
  equal(again.code, 0);
  equal(again.stdout.trim(), first);
  equal(
    again.stderr.trim(),
    `queuectl: job ${first} already holds unique key "nightly" (pending); nothing enqueued`,
  );
  const json = await cli(db, ["enqueue", "--json", "--unique-key", "nightly", "-c", "true"]);
  const shown = JSON.parse(json.stdout);
  deepStrictEqual([shown.id, shown.unique_key, shown.unique_until], [first, "nightly", null]);
  deepStrictEqual(await statusCounts(db), { ...ZERO_COUNTS, pending: 1 });
  {
    await using _workers = workersFor(db, 1);
    await waitForJob(db, first, (j) => j.state === "completed");
  }
  const second = await enqueueId(db, ["--unique-key", "nightly", "--command", "true"]);
  equal(second === first, false);
  deepStrictEqual(await statusCounts(db), { ...ZERO_COUNTS, pending: 1, completed: 1 });
});

Deno.test("with --unique-for the key is held after completion until the window ends", async () => {
  await using db = await tempDb();
  const args = ["--unique-key", "w", "--unique-for", "3s", "--command", "true"];
  const first = await enqueueId(db, args);
  {
    await using _workers = workersFor(db, 1);
    await waitForJob(db, first, (j) => j.state === "completed");
  }
  const within = await cli(db, ["enqueue", ...args]);
  // The window may pass on a slow machine while the worker ran; then it must be a new job.
  if (within.stdout.trim() === first) match(within.stderr, /\(completed\); nothing enqueued/);
  const second = await waitFor(async () => {
    const id = await enqueueId(db, args);
    return id === first ? undefined : id;
  }, { timeoutMs: 10_000, intervalMs: 200 });
  equal(typeof second, "string");
  deepStrictEqual(await statusCounts(db), { ...ZERO_COUNTS, pending: 1, completed: 1 });
});

Deno.test("canceling the holder frees its unique key", async () => {
  await using db = await tempDb();
  const first = await enqueueId(db, ["--hold", "--unique-key", "k", "--command", "true"]);
  await cliOk(db, ["cancel", first]);
  const second = await enqueueId(db, ["--unique-key", "k", "--command", "true"]);
  equal(second === first, false);
  // A retried job does not re-acquire its key, and its end does not free the new holder's.
  await cliOk(db, ["retry", first]);
  await cliOk(db, ["cancel", first]);
  const third = await cli(db, ["enqueue", "--unique-key", "k", "--command", "true"]);
  equal(third.stdout.trim(), second);
});

Deno.test("10 parallel enqueues of one unique key store one job and print its id", async () => {
  await using db = await tempDb();
  const runs = await Promise.all(
    Array.from({ length: 10 }, () => cli(db, ["enqueue", "--unique-key", "k", "-c", "true"])),
  );
  for (const r of runs) equal(r.code, 0, r.stderr);
  const ids = new Set(runs.map((r) => r.stdout.trim()));
  equal(ids.size, 1);
  equal(runs.filter((r) => r.stderr.includes("nothing enqueued")).length, 9);
  deepStrictEqual(await statusCounts(db), { ...ZERO_COUNTS, pending: 1 });
});

Deno.test("bad unique options exit 2 with one line and nothing written", async () => {
  await using db = await tempDb();
  await createDb(db);
  const bad: [string[], RegExp][] = [
    [["--unique-for", "1h"], /unique_for needs unique_key/],
    [["--unique-key", "k", "--unique-for", "0"], /unique_for must be a duration from 1s/],
    [["--unique-key", "k", "--unique-for", "500ms"], /unique_for must be a duration from 1s/],
    [["--unique-key", "k", "--unique-for=-5s"], /unique_for must be/],
    [["--unique-key", "k", "--unique-for", " 5s"], /unique_for/],
    [["--unique-key", "a\tb"], /unique_key must be 1-128 characters/],
    [["--unique-key", "x".repeat(129)], /unique_key must be 1-128 characters/],
    [["--unique-key="], /unique_key must be 1-128|--unique-key/],
    [["--unique-key", "k", "--after", "x"], /unique_key cannot be combined with after/],
  ];
  for (const [args, pattern] of bad) {
    assertOneLineError(await cli(db, ["enqueue", "--command", "true", ...args]), 2, pattern);
  }
  deepStrictEqual(await statusCounts(db), ZERO_COUNTS);
});

Deno.test("a bulk file stores one job per unique key and reports each duplicate line", async () => {
  await using db = await tempDb();
  const held = await enqueueId(db, ["--unique-key", "old", "--command", "true"]);
  const file = await Deno.makeTempFile();
  await Deno.writeTextFile(
    file,
    [
      '{"command":"echo a","unique_key":"k"}',
      '{"command":"echo plain"}',
      '{"command":"echo b","unique_key":"k"}',
      '{"command":"echo c","unique_key":"old"}',
      '{"command":"echo d","unique_key":"other","unique_for":"1h"}',
    ].join("\n") + "\n",
  );
  const r = await cli(db, ["enqueue", "--json", "--file", file]);
  equal(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout);
  equal(out.enqueued, 3);
  equal(out.ids.length, 3);
  const first = out.ids[0];
  deepStrictEqual(r.stderr.trim().split("\n"), [
    `queuectl: job ${first} already holds unique key "k" (pending); nothing enqueued`,
    `queuectl: job ${held} already holds unique key "old" (pending); nothing enqueued`,
  ]);
  deepStrictEqual(await statusCounts(db), { ...ZERO_COUNTS, pending: 4 });
  const text = await cli(db, ["enqueue", "--file", file]);
  equal(text.stdout.trim(), "enqueued 1 jobs");
  equal(text.stderr.trim().split("\n").length, 4);
  // A bad unique line is refused before anything is written, even after plain lines.
  await Deno.writeTextFile(file, '{"command":"true"}\n{"command":"true","unique_for":"1h"}\n');
  assertOneLineError(await cli(db, ["enqueue", "--file", file]), 2, /line 2: unique_for needs/);
  deepStrictEqual(await statusCounts(db), { ...ZERO_COUNTS, pending: 5 });
  await Deno.remove(file);
});

Deno.test("doctor reports a unique entry whose holder is gone past its window; --repair deletes it", async () => {
  await using db = await tempDb();
  const args = ["--hold", "--unique-key", "gone", "--unique-for", "1s", "--command", "true"];
  const first = await enqueueId(db, args);
  await cliOk(db, ["cancel", first]);
  await cliOk(db, ["delete", first]);
  // Within the window the entry holds the key for the deleted job: refused, nothing stored.
  const held = await cli(db, ["enqueue", ...args]);
  if (held.code !== 0) assertOneLineError(held, 1, /held until .* which was deleted/);
  const stray = await waitFor(async () => {
    const r = await cli(db, ["doctor", "--json"]);
    const found = JSON.parse(r.stdout).violations.find((v: { kind: string }) =>
      v.kind === "stray_unique"
    );
    return found ? { code: r.code, found } : undefined;
  }, { intervalMs: 200 });
  equal(stray.code, 1);
  match(stray.found.detail, new RegExp(`unique key "gone" names job ${first}, which does not`));
  const repair = await cli(db, ["doctor", "--repair"]);
  equal(repair.code, 0, repair.stderr);
  match(repair.stdout, /^repaired: 1 key\(s\) rewritten$/m);
  const after = await cli(db, ["doctor", "--json"]);
  deepStrictEqual(JSON.parse(after.stdout).violations, []);
});
