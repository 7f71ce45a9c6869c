/**
 * End-to-end tests of the day-two features through the real CLI and real workers: timeouts and
 * cancel that really stop the work, live logs, the output cap as a user sees it, metrics of a
 * known workload, and `status --watch`.
 *
 * @module
 */
import { deepStrictEqual, equal, match, ok } from "node:assert/strict";
import { join } from "node:path";
import {
  assertOneLineError,
  cli,
  cliArgv,
  cliOk,
  createDb,
  processAlive,
  processGroupAlive,
  type TempDb,
  tempDb,
  waitFor,
  waitForJob,
  workersFor,
} from "./helpers.ts";

const sh = (path: string) => `'${path.replaceAll("'", "'\\''")}'`;

async function enqueue(db: TempDb, args: string[]): Promise<string> {
  return (await cliOk(db, ["enqueue", ...args])).trim();
}

/** A job that records its process group and a background grandchild, then runs "forever". */
function lingering(dir: string): { command: string; pids: () => Promise<number[]> } {
  const file = join(dir, "pids");
  return {
    command: `sleep 300 & echo "$$ $!" > ${sh(file)}; sleep 300`,
    pids: () =>
      waitFor(async () => {
        const text = await Deno.readTextFile(file).catch(() => "");
        return text.endsWith("\n") ? text.trim().split(" ").map(Number) : null;
      }, { what: "the job to write its pids" }),
  };
}

/** Spawns the CLI with piped stdout, for commands that run until they end on their own. */
function spawnCli(db: TempDb, args: string[]): Deno.ChildProcess {
  return new Deno.Command(Deno.execPath(), {
    args: [...cliArgv(), ...args],
    env: db.env,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
}

/** Collects a child's stdout as text, readable while it runs. */
function collect(child: Deno.ChildProcess): { text: () => string; done: Promise<void> } {
  let text = "";
  const done = (async () => {
    const dec = new TextDecoder();
    for await (const chunk of child.stdout) text += dec.decode(chunk, { stream: true });
  })();
  return { text: () => text, done };
}

Deno.test("a job past its timeout is killed with its whole process group, grandchild included, recorded as timed_out and sent on through retry to the DLQ", async () => {
  await using db = await tempDb();
  const job = lingering(db.dir);
  const id = await enqueue(db, ["--command", job.command, "--timeout", "1s", "--max-retries", "0"]);
  await using _workers = workersFor(db, 1);
  const [pgid, grandchild] = await job.pids();
  const dead = await waitForJob(db, id, (j) => j.state === "dead", { timeoutMs: 30_000 });
  equal(dead.history.length, 1);
  equal(dead.history[0]!.outcome, "timed_out");
  match(dead.last_error, /timed out after 1s/);
  ok(dead.history[0]!.duration_ms >= 1000, "it ran for its full time limit");
  await waitFor(() => !processGroupAlive(pgid!) && !processAlive(grandchild!), {
    what: "every process of the timed-out job to be gone",
  });
});

Deno.test("cancel of a running job kills its process group within seconds and records canceled, not failed or dead", async () => {
  await using db = await tempDb();
  const job = lingering(db.dir);
  const id = await enqueue(db, ["--command", job.command, "--max-retries", "3"]);
  await using _workers = workersFor(db, 1);
  const [pgid, grandchild] = await job.pids();
  const asked = Date.now();
  const r = await cli(db, ["cancel", id]);
  equal(r.code, 0, r.stderr);
  const canceled = await waitForJob(db, id, (j) => j.state === "canceled");
  ok(Date.now() - asked < 5_000, "the cancel took effect within seconds");
  deepStrictEqual(canceled.history.map((a) => a.outcome), ["canceled"]);
  equal(canceled.attempts, 1, "no retry was started");
  await waitFor(() => !processGroupAlive(pgid!) && !processAlive(grandchild!), {
    what: "every process of the canceled job to be gone",
  });
});

Deno.test("logs --follow prints each line while the job runs and ends with the job; --json makes NDJSON lines and an end object", async () => {
  await using db = await tempDb();
  const gate = join(db.dir, "gate");
  const id = await enqueue(db, [
    "--command",
    `echo first; while [ ! -e ${sh(gate)} ]; do sleep 0.05; done; echo second; echo oops >&2`,
  ]);
  // Both followers start before any worker, so they also wait for the attempt to begin.
  const raw = spawnCli(db, ["logs", id, "--follow"]);
  const ndjson = spawnCli(db, ["logs", id, "--follow", "--json"]);
  const [rawOut, jsonOut] = [collect(raw), collect(ndjson)];
  await using _workers = workersFor(db, 1);
  await waitFor(() => rawOut.text() === "first\n" && jsonOut.text().includes("first"), {
    what: "the first line to be streamed while the job waits at its gate",
  });
  equal((await waitForJob(db, id, () => true)).state, "processing", "the job is still running");
  await Deno.writeTextFile(gate, "");
  const [rawStatus, jsonStatus] = await Promise.all([raw.status, ndjson.status]);
  await Promise.all([rawOut.done, jsonOut.done]);
  deepStrictEqual([rawStatus.code, rawOut.text()], [0, "first\nsecond\n"]);
  equal(jsonStatus.code, 0);
  deepStrictEqual(jsonOut.text().trim().split("\n").map((l) => JSON.parse(l)), [
    { attempt: 1, stream: "stdout", line: "first" },
    { attempt: 1, stream: "stdout", line: "second" },
    { attempt: 1, event: "end", outcome: "succeeded", exit_code: 0, truncated: false },
  ]);
  await Promise.all([raw.stderr.cancel(), ndjson.stderr.cancel()]);
});

Deno.test("logs --follow follows a failed attempt's retry and ends only when the job does", async () => {
  await using db = await tempDb();
  await cliOk(db, ["config", "set", "backoff_base", "1"]);
  const marker = join(db.dir, "ran-once");
  const id = await enqueue(db, [
    "--command",
    `if [ -e ${sh(marker)} ]; then echo second try; else touch ${
      sh(marker)
    }; echo first try; exit 3; fi`,
  ]);
  const raw = spawnCli(db, ["logs", id, "--follow"]);
  const ndjson = spawnCli(db, ["logs", id, "--follow", "--json"]);
  const [rawOut, jsonOut] = [collect(raw), collect(ndjson)];
  const rawErr = new Response(raw.stderr).text();
  await using _workers = workersFor(db, 1);
  const [rawStatus, jsonStatus] = await Promise.all([raw.status, ndjson.status]);
  await Promise.all([rawOut.done, jsonOut.done]);
  deepStrictEqual([rawStatus.code, rawOut.text()], [0, "first try\nsecond try\n"]);
  equal(await rawErr, "queuectl: attempt 1 failed; following attempt 2\n");
  equal(jsonStatus.code, 0);
  deepStrictEqual(jsonOut.text().trim().split("\n").map((l) => JSON.parse(l)), [
    { attempt: 1, stream: "stdout", line: "first try" },
    { attempt: 1, event: "end", outcome: "failed", exit_code: 3, truncated: false },
    { attempt: 2, stream: "stdout", line: "second try" },
    { attempt: 2, event: "end", outcome: "succeeded", exit_code: 0, truncated: false },
  ]);
  equal((await waitForJob(db, id, () => true)).state, "completed");
  await ndjson.stderr.cancel();
});

Deno.test("logs --follow of a job canceled before it ran ends at once instead of waiting forever", async () => {
  await using db = await tempDb();
  const id = await enqueue(db, ["--command", "true", "--delay", "1h"]);
  await cliOk(db, ["cancel", id]);
  const r = await cli(db, ["logs", id, "--follow", "--json"]);
  equal(r.code, 121, r.stderr); // a followed job's outcome: canceled
  deepStrictEqual(JSON.parse(r.stdout), {
    attempt: 1,
    event: "end",
    outcome: "canceled",
    exit_code: null,
    truncated: false,
  });
});

Deno.test("output past output_limit keeps its head and tail around a marker line, and logs says on stderr that it was cut", async () => {
  await using db = await tempDb();
  await cliOk(db, ["config", "set", "output_limit", "1KiB"]);
  const id = await enqueue(db, ["--command", "head -c 5000 /dev/zero | tr '\\0' x"]);
  await using _workers = workersFor(db, 1);
  await waitForJob(db, id, (j) => j.state === "completed");
  const r = await cli(db, ["logs", id]);
  equal(r.code, 0);
  equal(r.stdout, `${"x".repeat(512)}\n[... 3,976 bytes cut by queuectl ...]\n${"x".repeat(512)}`);
  equal(
    r.stderr,
    "queuectl: stdout of attempt 1 was cut to its head and tail, 5000 bytes in all " +
      "(config output_limit)\n",
  );
  const json = await cli(db, ["logs", id, "--json"]);
  equal(JSON.parse(json.stdout.trim().split("\n").at(-1)!).truncated, true);
});

Deno.test("metrics --json counts a known workload exactly: enqueued, completed, retried, dead, canceled, run times and workers", async () => {
  await using db = await tempDb();
  await cliOk(db, ["config", "set", "backoff_base", "1"]);
  const lines = [
    ...Array.from({ length: 5 }, (_, i) => ({ id: `quick${i}`, command: "true" })),
    ...Array.from({ length: 2 }, (_, i) => ({ id: `slow${i}`, command: "sleep 0.3" })),
    { id: "flaky", command: "exit 3", max_retries: 1 },
    { id: "never", command: "true", delay: "1h" },
  ];
  await cliOk(db, ["enqueue", "--file", "-"], {
    stdin: lines.map((l) => JSON.stringify(l)).join("\n"),
  });
  await cliOk(db, ["cancel", "never"]);
  {
    await using _workers = workersFor(db, 2);
    await waitFor(async () => {
      const { counts } = JSON.parse(await cliOk(db, ["status", "--json"]));
      return counts.completed === 7 && counts.dead === 1;
    }, { what: "7 completed and 1 dead job", timeoutMs: 30_000 });
  }
  const m = JSON.parse(await cliOk(db, ["metrics", "--json"]));
  deepStrictEqual(m.window, {
    enqueued: 9,
    started: 9,
    completed: 7,
    retried: 1,
    dead: 1,
    canceled: 1,
    interrupted: 0,
    hook_ok: 0,
    hook_failed: 0,
  });
  equal(m.success_rate, 7 / 8);
  equal(m.dlq, 1);
  equal(m.run_ms.count, 9, "every attempt's run time was recorded");
  ok(
    m.run_ms.max >= 300 && m.run_ms.max < 5_000,
    `the slowest attempt was a sleep 0.3: ${m.run_ms.max}`,
  );
  ok(m.run_ms.p50 < 300, `most attempts were quick: p50 ${m.run_ms.p50}`);
  equal(m.wait_ms.count, 9);
  equal(m.per_minute.length, 60);
  equal(m.per_minute.reduce((a: number, r: { completed: number }) => a + r.completed, 0), 7);
  const byWorker = m.workers.reduce(
    (
      a: number[],
      w: { completed: number; failed: number },
    ) => [a[0]! + w.completed, a[1]! + w.failed],
    [0, 0],
  );
  deepStrictEqual(byWorker, [7, 2], "per-worker counts add up to the attempts");
  const text = await cliOk(db, ["metrics"]);
  match(text, /completed 7, dead 1, canceled 1/);
  match(text, /success +87\.5% \(7 of 8 finished jobs\)/);
});

Deno.test("status --watch, piped, prints a plain line each time the counts change and exits 0 on Ctrl+C; --json makes NDJSON", async () => {
  await using db = await tempDb();
  await createDb(db);
  const plain = spawnCli(db, ["status", "--watch", "--interval", "100ms"]);
  const json = spawnCli(db, ["status", "--watch", "--json", "--interval", "100ms"]);
  const [plainOut, jsonOut] = [collect(plain), collect(json)];
  await waitFor(() => plainOut.text().includes("pending=0") && jsonOut.text().includes("\n"), {
    what: "the first screens",
  });
  await enqueue(db, ["--command", "true"]);
  await waitFor(
    () => plainOut.text().includes("pending=1") && jsonOut.text().includes('"pending":1'),
    {
      what: "a new line for the enqueued job",
    },
  );
  plain.kill("SIGINT");
  json.kill("SIGINT");
  const [p, j] = await Promise.all([plain.status, json.status]);
  await Promise.all([plainOut.done, jsonOut.done]);
  deepStrictEqual([p.code, j.code], [0, 0]);
  const lines = plainOut.text().trim().split("\n");
  equal(lines.length, 2, `one line per change, not per tick:\n${plainOut.text()}`);
  match(
    lines[1]!,
    /^\d{4}-\d\d-\d\dT\S+Z held=0 blocked=0 scheduled=0 pending=1 processing=0 .* workers=0 busy=0$/,
  );
  const docs = jsonOut.text().trim().split("\n").map((l) => JSON.parse(l));
  deepStrictEqual(docs.map((d) => d.counts.pending), [0, 1]);
  ok(docs.every((d) => Array.isArray(d.workers) && Array.isArray(d.running)));
  await Promise.all([plain.stderr.cancel(), json.stderr.cancel()]);
});

Deno.test("status --watch on a terminal draws in the alternate screen and restores the terminal on Ctrl+C", async () => {
  await using db = await tempDb();
  await createDb(db);
  // `script` gives the command a real pseudo-terminal; `timeout -s INT` is the Ctrl+C.
  const inner = [Deno.execPath(), ...cliArgv(), "status", "--watch", "--interval", "100ms"]
    .map((a) => sh(a)).join(" ");
  const out = await new Deno.Command("script", {
    args: ["-qec", `timeout --preserve-status -s INT 2 ${inner}`, "/dev/null"],
    env: db.env,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const screen = new TextDecoder().decode(out.stdout);
  equal(out.code, 0, new TextDecoder().decode(out.stderr));
  ok(screen.startsWith("\x1b[?1049h\x1b[?25l"), "enters the alternate screen, cursor hidden");
  ok(screen.includes("\x1b[Hqueuectl status"), "each redraw starts at home");
  ok(screen.includes("processing  0"), "draws the counts");
  ok(screen.trimEnd().endsWith("\x1b[?25h\x1b[?1049l"), "restores cursor and screen at the end");
  ok(!screen.includes("\x1b[2J"), "never clears the whole screen (no flicker)");
});

Deno.test("status --interval outside 100ms..1h and logs --attempt 0 are bad usage: exit 2, one line", async () => {
  await using db = await tempDb();
  assertOneLineError(await cli(db, ["status", "--watch", "--interval", "50ms"]), 2, /--interval/);
  assertOneLineError(await cli(db, ["status", "--watch", "--interval", "soon"]), 2, /duration/);
  const id = await enqueue(db, ["--command", "true"]);
  assertOneLineError(await cli(db, ["logs", id, "--attempt", "0"]), 2, /--attempt/);
});

Deno.test("cancel, delete, dlq retry, dlq purge and purge --json each print one JSON document", async () => {
  await using db = await tempDb();
  const id = await enqueue(db, ["--command", "true", "--delay", "1h"]);
  const canceled = JSON.parse(await cliOk(db, ["cancel", id, "--json"]));
  deepStrictEqual([canceled.id, canceled.state], [id, "canceled"]);
  deepStrictEqual(JSON.parse(await cliOk(db, ["delete", id, "--json"])), { deleted: id });
  deepStrictEqual(JSON.parse(await cliOk(db, ["dlq", "retry", "--all", "--json"])), {
    requeued: 0,
  });
  deepStrictEqual(JSON.parse(await cliOk(db, ["dlq", "purge", "--json"])), { purged: 0 });
  await cliOk(db, ["cancel", await enqueue(db, ["--command", "true", "--delay", "1h"])]);
  deepStrictEqual(
    JSON.parse(await cliOk(db, ["purge", "--state", "canceled", "--json"])),
    { purged: 1 },
  );
});
