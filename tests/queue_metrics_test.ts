/**
 * Per-queue metrics end to end: jobs of two named queues and the default one run by a real
 * worker, then `metrics --json`, `metrics --queue`, `GET /metrics` from a real `queuectl web`,
 * `list`'s QUEUE column and `status --watch`'s queue lines; and the bad input of `--queue`.
 */
import {
  deepStrictEqual as assertEquals,
  doesNotMatch,
  match,
  ok,
  strictEqual,
} from "node:assert/strict";
import {
  assertOneLineError,
  cli,
  cliArgv,
  cliOk,
  enqueueId,
  startWorkers,
  statusCounts,
  type TempDb,
  tempDb,
  waitFor,
} from "./helpers.ts";
import { startWeb } from "./web_server.ts";

// deno-lint-ignore no-explicit-any
type Json = any;

/** build: 3 complete, 1 dies (exit 2, no retry); mail: 2 complete; default: 1 completes. */
async function runTwoQueues(db: TempDb): Promise<void> {
  for (const i of [1, 2, 3]) await enqueueId(db, ["--queue", "build", `echo built ${i}`]);
  await enqueueId(db, ["--queue", "build", "--max-retries", "0", "exit 2"]);
  for (const i of [1, 2]) await enqueueId(db, ["--queue", "mail", `echo sent ${i}`]);
  await enqueueId(db, ["echo tidy"]);
  await cliOk(db, ["queue", "set", "build", "--concurrency", "2"]);
  const workers = startWorkers(db, 1);
  try {
    await waitFor(async () => {
      const c = await statusCounts(db);
      return c.completed === 6 && c.dead === 1;
    }, { what: "every job ended", timeoutMs: 60_000 });
  } finally {
    strictEqual(await workers.stop(), 0);
  }
}

Deno.test({
  name:
    "after a real worker ran two named queues, metrics --json, metrics --queue and GET /metrics count each queue's outcomes",
  sanitizeOps: false,
  sanitizeResources: false,
  fn: async () => {
    await using db = await tempDb();
    await runTwoQueues(db);
    await cliOk(db, ["queue", "pause", "mail"]);

    const report = JSON.parse(await cliOk(db, ["metrics", "--json"]));
    assertEquals(
      report.queues.map((q: Json) => [q.queue, q.completed, q.retried, q.dead, q.run_ms.count]),
      [["default", 1, 0, 0, 1], ["build", 3, 0, 1, 4], ["mail", 2, 0, 0, 2]],
    );
    assertEquals(report.queues[1].dlq, 1);
    strictEqual(report.queues[1].success_rate, 0.75);
    const text = await cliOk(db, ["metrics"]);
    match(text, /^QUEUE +COMPLETED +RETRIED +DEAD +RUN MEAN +RUNNING +PENDING$/m);
    match(text, /^build +3 +0 +1 +\S+ +0 +0$/m);

    const one = await cliOk(db, ["metrics", "--queue", "build"]);
    match(one, /^queue build, last 60 minutes/);
    match(one, /^jobs +completed 3, retried 0, dead 1$/m);
    match(one, /^success +75\.0% \(3 of 4 finished jobs\)$/m);
    match(one, /^now +pending 0, running 0, dlq 1$/m);
    const view = JSON.parse(await cliOk(db, ["metrics", "--queue", "default", "--json"]));
    strictEqual(view.queue, "default");
    strictEqual(view.completed, 1);
    strictEqual(view.per_minute.length, 60);
    strictEqual(view.per_minute.reduce((n: number, m: Json) => n + m.completed, 0), 1);

    await using web = await startWeb(db);
    const res = await fetch(web.url + "/metrics");
    strictEqual(res.status, 200);
    const body = await res.text();
    const lines = new Set(body.split("\n"));
    for (
      const line of [
        'queuectl_queue_jobs{queue="build",state="completed"} 3',
        'queuectl_queue_jobs{queue="build",state="dead"} 1',
        'queuectl_queue_jobs{queue="mail",state="completed"} 2',
        'queuectl_queue_running{queue="build"} 0',
        'queuectl_queue_limit{queue="build"} 2',
        'queuectl_queue_paused{queue="mail"} 1',
        'queuectl_queue_paused{queue="build"} 0',
        'queuectl_queue_jobs_total{queue="default",outcome="completed"} 1',
        'queuectl_queue_jobs_total{queue="build",outcome="completed"} 3',
        'queuectl_queue_jobs_total{queue="build",outcome="dead"} 1',
        'queuectl_queue_jobs_total{queue="mail",outcome="completed"} 2',
        'queuectl_queue_job_run_seconds_count{queue="build"} 4',
        "queuectl_jobs_completed_total 6",
      ]
    ) ok(lines.has(line), `GET /metrics has ${line}:\n${body}`);
    ok(!body.includes('queuectl_queue_limit{queue="mail"}'), "no limit line for a queue without");
  },
});

Deno.test({
  name:
    "list adds a QUEUE column once a listed job is in a named queue, not for default-only or one-queue listings; status --watch shows the queue lines",
  sanitizeOps: false,
  sanitizeResources: false,
  fn: async () => {
    await using db = await tempDb();
    await enqueueId(db, ["--id", "plain", "echo plain"]);
    doesNotMatch(await cliOk(db, ["list"]), /QUEUE/, "a single-queue user's list is unchanged");
    await enqueueId(db, ["--queue", "build", "--id", "b1", "echo b1"]);
    const listed = await cliOk(db, ["list"]);
    match(listed, /^ID +STATE +QUEUE +TRIES +PRIO/);
    match(listed, /^b1 +pending +build +0\/4/m);
    match(listed, /^plain +pending +default +0\/4/m);
    doesNotMatch(await cliOk(db, ["list", "--queue", "build"]), /QUEUE/);

    // `script` gives the command a real pseudo-terminal; `timeout -s INT` is the Ctrl+C.
    const inner = [Deno.execPath(), ...cliArgv(), "status", "--watch", "--interval", "100ms"]
      .map((a) => `'${a.replaceAll("'", "'\\''")}'`).join(" ");
    const out = await new Deno.Command("script", {
      args: ["-qec", `timeout --preserve-status -s INT 2 ${inner}`, "/dev/null"],
      env: db.env,
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).output();
    const screen = new TextDecoder().decode(out.stdout);
    strictEqual(out.code, 0, new TextDecoder().decode(out.stderr));
    match(screen, /queues: 2/);
    match(screen, /default +active +pending 1 +running 0/);
    match(screen, /build +active +pending 1 +running 0/);

    const json = await new Deno.Command(Deno.execPath(), {
      args: [...cliArgv(), "status", "--watch", "--json", "--interval", "100ms"],
      env: db.env,
      stdin: "null",
      stdout: "piped",
      stderr: "null",
    }).spawn();
    let first = "";
    const reader = json.stdout.pipeThrough(new TextDecoderStream()).getReader();
    while (!first.includes("\n")) first += (await reader.read()).value ?? "";
    json.kill("SIGINT");
    await reader.cancel();
    strictEqual((await json.status).code, 0);
    const doc = JSON.parse(first.slice(0, first.indexOf("\n")));
    assertEquals(doc.queues.map((q: Json) => [q.name, q.counts.pending]), [
      ["default", 1],
      ["build", 1],
    ]);
  },
});

Deno.test("metrics --queue with a bad or unknown name is bad input: exit 2, one line, no database made", async () => {
  await using db = await tempDb();
  assertOneLineError(await cli(db, ["metrics", "--queue", "a b"]), 2, /queue name must be/);
  assertOneLineError(await cli(db, ["metrics", "--queue", ".."]), 2, /queue name must be/);
  const made = await Deno.stat(db.path).then(() => true, () => false);
  ok(!made, "no database was created");
  await enqueueId(db, ["--queue", "build", "true"]);
  assertOneLineError(
    await cli(db, ["metrics", "--queue", "biuld"]),
    2,
    /unknown queue "biuld" \(see queuectl queue list\)/,
  );
  assertOneLineError(await cli(db, ["metrics", "--queue", "(other)"]), 2, /queue name must be/);
});
