/**
 * `list --all` past the 1,000 cap in bounded memory, and `list`'s RUN AT column.
 *
 * @module
 */
import { equal, match, ok } from "node:assert/strict";
import { boundedCli } from "./bounded_cli.ts";
import { assertOneLineError, cli, cliOk, tempDb } from "./helpers.ts";

Deno.test("list --all streams every one of 3,000 jobs as NDJSON, with and without --state or --queue, in bounded memory", async () => {
  await using db = await tempDb();
  const stdin = Array.from({ length: 3000 }, (_, i) => `{"command":"echo ${i}"}\n`).join("");
  await cliOk(db, ["enqueue", "--file", "-"], { stdin });
  await cliOk(db, ["enqueue", "--command", "true", "--delay", "1h", "--queue", "q1"]);
  const cases: [string[], number][] = [
    [["list", "--all"], 3001],
    [["list", "--all", "--state", "pending"], 3000],
    [["list", "--all", "--queue", "default"], 3000],
  ];
  for (const [args, count] of cases) {
    const r = await boundedCli(db, args, { maxMiB: 400, deadlineMs: 60_000 });
    equal(r.code, 0, r.stderr);
    const jobs = r.stdout.trim().split("\n").map((l) => JSON.parse(l));
    equal(jobs.length, count, args.join(" "));
    equal(new Set(jobs.map((j) => j.id)).size, jobs.length, "no job twice");
    ok(r.peakMiB < 400, `peak ${r.peakMiB} MiB`);
  }
  assertOneLineError(await cli(db, ["list", "--all", "--after", "x"]), 2, /--after/);
});

Deno.test("list shows when a scheduled job will run in RUN AT, blank for a pending one", async () => {
  await using db = await tempDb();
  const later =
    (await cliOk(db, ["enqueue", "--command", "true", "--run-at", "2100-01-01T00:00:00Z"]))
      .trim();
  const now = (await cliOk(db, ["enqueue", "--command", "true"])).trim();
  const rows = (await cliOk(db, ["list"])).split("\n");
  match(rows[0]!, /UPDATED +RUN AT +COMMAND/);
  match(rows.find((r) => r.startsWith(later))!, /scheduled .* 2100-01-01T00:00:00Z +true/);
  ok(!rows.find((r) => r.startsWith(now))!.includes("2100"));
});
