/**
 * Limits through the real CLI: a write of queuectl's own that goes past a storage limit is the
 * program's failure (exit 1, one line, no stack trace), while a value of the user's that is too
 * big is bad input (exit 2), refused before anything reaches the store.
 */
import { deepStrictEqual as assertEquals, strictEqual } from "node:assert/strict";
import { checkInvariants, fillToValueLimit } from "./factory.ts";
import {
  assertOneLineError,
  cli,
  cliOk,
  statusCounts,
  storeOf,
  tempDb,
  ZERO_COUNTS,
} from "./helpers.ts";
import { assertNothingWritten, expectRejected } from "./cli_rejects.ts";
import { getJob } from "../src/store/query.ts";

Deno.test("a write past Deno KV's value limit exits 1 with one line, not as bad usage, and changes nothing", async () => {
  await using db = await tempDb();
  const id = (await cliOk(db, ["enqueue", "--command", "true"])).trim();
  {
    await using store = await storeOf(db);
    await fillToValueLimit(store, id);
  }
  // The cancel adds `finished_at` to a record already at the limit.
  const r = await cli(db, ["cancel", id]);
  assertOneLineError(r, 1, /^queuectl: database limit: Value too large \(max 65536 bytes\)$/);
  assertEquals(await statusCounts(db), { ...ZERO_COUNTS, pending: 1 });
  await using store = await storeOf(db);
  strictEqual((await getJob(store, id))?.state, "pending");
  await checkInvariants(store);
});

Deno.test("a command too long for a job, or an id too long for any job, still exits 2 and writes nothing", async () => {
  await using db = await tempDb();
  const long = "x".repeat(40_000);
  await expectRejected(db, [
    {
      args: ["enqueue", "--command", long],
      pattern: /^queuectl: command must be at most 32768 bytes, got 40000 bytes/,
    },
    {
      args: ["enqueue", JSON.stringify({ command: long })],
      pattern: /command must be at most 32768 bytes/,
    },
  ]);
  await assertNothingWritten(db);
  await cliOk(db, ["enqueue", "--command", "true"]);
  // 3,000 characters would pass Deno KV's key limit: the lookup refuses them first.
  const huge = "a".repeat(3000);
  const tooLong =
    /^queuectl: job id must be at most 128 characters, got 3000 characters starting "a+…"$/;
  await expectRejected(
    db,
    [
      ["show", huge],
      ["logs", huge],
      ["cancel", huge],
      ["delete", huge],
      ["dlq", "retry", huge],
      ["list", "--after", huge],
      ["list", "--state", "pending", "--after", huge],
    ].map((args) => ({ args, pattern: tooLong })),
  );
  assertOneLineError(await cli(db, ["show", "a".repeat(128)]), 1, /not found/);
  strictEqual((await statusCounts(db)).pending, 1);
});
