/**
 * The merged view of a job's output end to end: a real worker runs a real `sh -c` job writing to
 * both pipes with a pause between every write, and the order it read them comes back from the
 * store and from `queuectl logs --merged` (raw, followed, and NDJSON).
 *
 * @module
 */
import { deepStrictEqual, strictEqual } from "node:assert/strict";
import { readMergedOutput } from "../src/store/output_runs.ts";
import {
  assertOneLineError,
  cli,
  cliOk,
  enqueueId,
  storeOf,
  tempDb,
  waitForJob,
  workersFor,
} from "./helpers.ts";

// A pause between every write: each is read on its own, so the read order is the write order.
const INTERLEAVED = "printf 'o1\\n'; sleep 0.05; printf 'e1\\n' >&2; sleep 0.05; " +
  "printf 'o2\\n'; sleep 0.05; printf 'e2\\n' >&2";

Deno.test("a real worker records the order it read the two pipes: the merged read gives o1 e1 o2 e2", async () => {
  await using db = await tempDb();
  const id = await enqueueId(db, ["--command", INTERLEAVED]);
  {
    await using _workers = workersFor(db, 1);
    await waitForJob(db, id, (j) => j.state === "completed");
  }
  await using store = await storeOf(db);
  const text = new TextDecoder();
  const segments = (await readMergedOutput(store, id, 1)).map((s) =>
    `${s.stream}:${text.decode(s.data)}`
  );
  deepStrictEqual(segments, ["stdout:o1\n", "stderr:e1\n", "stdout:o2\n", "stderr:e2\n"]);

  const merged = await cli(db, ["logs", id, "--merged"]);
  deepStrictEqual([merged.code, merged.stdout, merged.stderr], [0, "o1\ne1\no2\ne2\n", ""]);
  const plain = await cli(db, ["logs", id]);
  strictEqual(plain.stdout, "o1\no2\n", "without --merged, logs still prints stdout alone");
  const json = await cli(db, ["logs", id, "--merged", "--json"]);
  deepStrictEqual(json.stdout.trim().split("\n").map((l) => JSON.parse(l)), [
    { attempt: 1, stream: "stdout", line: "o1" },
    { attempt: 1, stream: "stderr", line: "e1" },
    { attempt: 1, stream: "stdout", line: "o2" },
    { attempt: 1, stream: "stderr", line: "e2" },
    { attempt: 1, event: "end", outcome: "succeeded", exit_code: 0, truncated: false },
  ]);
});

Deno.test("logs --merged --follow prints the interleaved output of a running job as it comes, then exits with the job's code", async () => {
  await using db = await tempDb();
  const id = await enqueueId(db, [
    "--max-retries",
    "0",
    "--command",
    INTERLEAVED + "; sleep 0.05; exit 3",
  ]);
  const following = cli(db, ["logs", id, "--merged", "--follow", "--json"]);
  await using _workers = workersFor(db, 1);
  const followed = await following;
  strictEqual(followed.code, 3);
  deepStrictEqual(followed.stdout.trim().split("\n").slice(0, 4).map((l) => JSON.parse(l).line), [
    "o1",
    "e1",
    "o2",
    "e2",
  ]);
});

Deno.test("a cut attempt merges its head in order, then stdout's marker and tail, and logs --merged says it was cut", async () => {
  await using db = await tempDb();
  await cliOk(db, ["config", "set", "output_limit", "1KiB"]);
  const id = await enqueueId(db, [
    "--command",
    "printf 'e1\\n' >&2; sleep 0.05; head -c 5000 /dev/zero | tr '\\0' x; sleep 0.05; " +
    "printf 'e2\\n' >&2",
  ]);
  {
    await using _workers = workersFor(db, 1);
    await waitForJob(db, id, (j) => j.state === "completed");
  }
  const r = await cli(db, ["logs", id, "--merged"]);
  strictEqual(r.code, 0);
  // stderr's 6 bytes fit its head, so e2 keeps its place; stdout's tail comes at the end.
  strictEqual(
    r.stdout,
    `e1\n${"x".repeat(512)}e2\n\n[... 3,976 bytes cut by queuectl ...]\n${"x".repeat(512)}`,
  );
  strictEqual(
    r.stderr,
    "queuectl: output of attempt 1 was cut to its head and tail, 5006 bytes in all " +
      "(config output_limit)\n",
  );
});

Deno.test("logs --merged with --stderr is a one-line usage error, exit 2, before any database", async () => {
  await using db = await tempDb();
  assertOneLineError(
    await cli(db, ["logs", "x", "--merged", "--stderr"]),
    2,
    /--stderr and --merged cannot be used together/,
  );
});
