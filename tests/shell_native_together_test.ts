/**
 * The shell-native features together, as a script would use them at once: held jobs released by
 * label, a dependent job that carries its own folder and variables, and every job of a label
 * streamed.
 *
 * @module
 */
import { deepStrictEqual, equal } from "node:assert/strict";
import { join } from "node:path";
import { cliOk, enqueueId, tempDb, waitForJob, workersFor } from "./helpers.ts";

Deno.test("release --label lets every held job of a batch go, and skips the rest", async () => {
  await using db = await tempDb();
  const held = [];
  for (let i = 0; i < 3; i++) {
    held.push(await enqueueId(db, ["--hold", "--label", "batch=7", "--command", "true"]));
  }
  await enqueueId(db, ["--label", "batch=7", "--delay", "1h", "--command", "true"]);
  const other = await enqueueId(db, ["--hold", "--label", "batch=8", "--command", "true"]);
  const out = JSON.parse(await cliOk(db, ["release", "--label", "batch=7", "--json"]));
  deepStrictEqual([out.released, out.skipped], [3, 1]);
  for (const id of held) equal((await waitForJob(db, id, () => true)).state, "pending");
  equal((await waitForJob(db, other, () => true)).state, "held");
});

Deno.test("a job after another runs in its own folder with its own variables once the first completed", async () => {
  await using db = await tempDb();
  const out = join(db.dir, "out.txt");
  const first = await enqueueId(db, ["--command", "sleep 0.2"]);
  const second = await enqueueId(db, [
    "--after",
    first,
    "--cwd",
    db.dir,
    "--env",
    "GREETING=hello there",
    "--command",
    `echo "$GREETING from $(pwd)" > ${out}`,
  ]);
  equal((await waitForJob(db, second, () => true)).state, "blocked");
  await using _workers = workersFor(db, 1);
  await waitForJob(db, second, (j) => j.state === "completed");
  equal(await Deno.readTextFile(out), `hello there from ${db.dir}\n`);
});

Deno.test("list --all --label streams every job of the label past one page, as NDJSON", async () => {
  await using db = await tempDb();
  const lines = Array.from(
    { length: 1_200 },
    (_, i) => JSON.stringify({ command: "true", labels: { batch: i % 2 === 0 ? "even" : "odd" } }),
  );
  await cliOk(db, ["enqueue", "--file", "-"], { stdin: lines.join("\n") });
  const all = (await cliOk(db, ["list", "--all", "--label", "batch=even"])).trim().split("\n");
  equal(all.length, 600);
  const jobs = all.map((l) => JSON.parse(l));
  equal(new Set(jobs.map((j) => j.id)).size, 600);
  deepStrictEqual(new Set(jobs.map((j) => j.labels.batch)), new Set(["even"]));
});
