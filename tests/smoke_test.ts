import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { cli, tempDb } from "./helpers.ts";

Deno.test("enqueue prints the new job's id and status counts it as pending", async () => {
  await using db = await tempDb();
  const r = await cli(db, ["enqueue", "--command", "echo hi", "--id", "a1"]);
  assertEquals([r.code, r.stdout.trim(), r.stderr], [0, "a1", ""]);
  const s = await cli(db, ["status", "--json"]);
  assertEquals(JSON.parse(s.stdout).counts.pending, 1);
});
