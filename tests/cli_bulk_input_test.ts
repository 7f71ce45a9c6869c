/**
 * `enqueue --file` on input without end or without bound: it is read as a stream, a line past
 * the spec limit is refused as soon as it passes it, and every line is checked before anything
 * is written, even when the checked specs outgrow memory and wait on disk.
 */
import { deepStrictEqual as assertEquals, ok } from "node:assert/strict";
import { join } from "node:path";
import { assertOneLineError, cli, statusCounts, tempDb, ZERO_COUNTS } from "./helpers.ts";
import { assertNothingWritten } from "./cli_rejects.ts";
import { boundedCli } from "./bounded_cli.ts";

/** Generous: a refused endless input costs about 45 MiB; the old reader passed 6 GiB. */
const MAX_MIB = 300;
const WATCH = { maxMiB: MAX_MIB, deadlineMs: 20_000 };

/** The same bytes forever. */
function forever(text: string): () => AsyncIterable<Uint8Array> {
  const chunk = new TextEncoder().encode(text.repeat(Math.ceil(65_536 / text.length)));
  return async function* () {
    for (;;) yield chunk;
  };
}

Deno.test("enqueue --file /dev/zero exits 2 at once with one line, bounded memory, nothing written", async () => {
  await using db = await tempDb();
  const r = await boundedCli(db, ["enqueue", "--file", "/dev/zero"], WATCH);
  assertEquals(r.killed, null, `peak ${r.peakMiB} MiB after ${Math.round(r.ms)} ms`);
  assertOneLineError(r, 2, /^queuectl: line 1 is longer than 262144 bytes/);
  ok(r.peakMiB < MAX_MIB, `peak ${r.peakMiB} MiB`);
  await assertNothingWritten(db);
});

Deno.test("an endless generator piped to enqueue --file - is refused at once, exit 2, in bounded memory", async () => {
  await using db = await tempDb();
  const cases: [string, () => AsyncIterable<Uint8Array>, RegExp][] = [
    ["no newline ever", forever("x"), /^queuectl: line 1 is longer than 262144 bytes/],
    ["zeros", forever("\0"), /^queuectl: line 1 is longer than/],
    ["`yes`", forever("y\n"), /^queuectl: line 1: invalid job JSON/],
    [
      "good lines, then one that never ends",
      async function* () {
        yield new TextEncoder().encode('{"command":"true"}\n'.repeat(1000));
        yield* forever("{")();
      },
      /^queuectl: line 1001 is longer than 262144 bytes/,
    ],
  ];
  for (const [what, stdin, pattern] of cases) {
    const r = await boundedCli(db, ["enqueue", "--file", "-"], { ...WATCH, stdin });
    assertEquals(r.killed, null, `${what}: peak ${r.peakMiB} MiB after ${Math.round(r.ms)} ms`);
    assertOneLineError(r, 2, pattern, what);
    ok(r.peakMiB < MAX_MIB, `${what}: peak ${r.peakMiB} MiB`);
  }
  await assertNothingWritten(db);
});

Deno.test("enqueue --file checks every line before writing, even past the 16 MiB kept in memory", async () => {
  await using db = await tempDb();
  // 600 commands of 30 KB are 18 MB of specs: they go to the spool's temp file.
  const good = JSON.stringify({ command: `echo ${"x".repeat(30_000)}` });
  const file = join(db.dir, "big.ndjson");
  const lines = Array.from({ length: 600 }, () => good);
  await Deno.writeTextFile(file, [...lines, '{"command":"true","priority":5000}'].join("\n"));
  const bad = await cli(db, ["enqueue", "--file", file]);
  assertOneLineError(bad, 2, /^queuectl: line 601: priority must be an integer/);
  await assertNothingWritten(db);
  await Deno.writeTextFile(file, lines.join("\n"));
  const r = await cli(db, ["enqueue", "--file", file]);
  assertEquals([r.code, r.stdout.trim(), r.stderr], [0, "enqueued 600 jobs", ""]);
  assertEquals(await statusCounts(db), { ...ZERO_COUNTS, pending: 600 });
});
