/**
 * Shell-native enqueue (#15 items 1 and 7a–c) through the real CLI and real workers: a shell
 * command as the argument, `--file --lines`, the ids of a bulk enqueue, the job's working
 * directory and environment, and that environment values never show outside `show --env`.
 */
import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { cli, tempDb } from "./helpers.ts";
import { assertNothingWritten, expectRejected } from "./cli_rejects.ts";

Deno.test("a positional argument that does not start with { is a shell command", async () => {
  await using db = await tempDb();
  const r = await cli(db, ["enqueue", "make test", "--json", "--priority", "3"]);
  assertEquals(r.code, 0, r.stderr);
  const job = JSON.parse(r.stdout);
  assertEquals([job.command, job.priority], ["make test", 3]);
  const spec = await cli(db, ["enqueue", '{"command":"echo hi"}', "--json"]);
  assertEquals(JSON.parse(spec.stdout).command, "echo hi");
});

Deno.test("a shell command given both as the argument and as --command is refused", async () => {
  await using db = await tempDb();
  await expectRejected(db, [
    { args: ["enqueue", "make", "--command", "make test"], pattern: /not both/ },
  ]);
  await assertNothingWritten(db);
});
