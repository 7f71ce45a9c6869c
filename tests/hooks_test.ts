/**
 * Finish hooks end to end: the real CLI sets `on_finish` / `on_finish_url`, real workers run
 * real jobs, and the hooks reach a file and a real HTTP server (Deno.serve on port 0) in the
 * test. Each hook must see the job's final state; a failing hook is logged and counted and
 * changes nothing else.
 */
import { deepStrictEqual as assertEquals, ok } from "node:assert/strict";
import { join } from "node:path";
import {
  assertOneLineError,
  cli,
  cliOk,
  createDb,
  showJob,
  startWorkers,
  storeOf,
  tempDb,
  waitFor,
} from "./helpers.ts";
import { countHooks } from "../src/store/hook_outbox.ts";

/** The lines of a file, or none while it does not exist. */
async function lines(path: string): Promise<string[]> {
  try {
    return (await Deno.readTextFile(path)).split("\n").filter((l) => l !== "").sort();
  } catch {
    return [];
  }
}

/** A local HTTP server that answers with `respond(n)` for its n-th request (1-based). */
function receiver(respond: (n: number, body: unknown) => Promise<Response> | Response) {
  const bodies: unknown[] = [];
  let n = 0;
  const server = Deno.serve({ port: 0, hostname: "127.0.0.1", onListen: () => {} }, async (req) => {
    const body = await req.json();
    bodies.push(body);
    return await respond(++n, body);
  });
  return {
    url: `http://127.0.0.1:${server.addr.port}/done`,
    bodies,
    requests: () => n,
    [Symbol.asyncDispose]: () => server.shutdown(),
  };
}

async function metricsJson(db: Parameters<typeof cli>[0]) {
  return JSON.parse(await cliOk(db, ["metrics", "--json"])).window;
}

Deno.test("the on_finish command sees each job's final state: completed, dead, and canceled from the CLI and by a dependency", async () => {
  await using db = await tempDb();
  await createDb(db);
  const out = join(db.dir, "hooks.txt");
  await cliOk(db, ["config", "set", "on_finish", `echo {id} {state} {exit_code} >> ${out}`]);
  await cliOk(db, ["enqueue", "--id", "ok1", "true"]);
  await cliOk(db, ["enqueue", "--id", "bad1", "--max-retries", "0", "exit 3"]);
  await cliOk(db, ["enqueue", "--id", "later", "--delay", "1h", "true"]);
  await cliOk(db, ["enqueue", "--id", "child", "--after", "bad1", "true"]);
  // Canceled from the CLI with no worker running: its entry waits in the outbox.
  await cliOk(db, ["cancel", "later"]);
  {
    await using store = await storeOf(db);
    assertEquals(await countHooks(store), 1);
  }
  const doctor = await cliOk(db, ["doctor"]);
  ok(doctor.includes("hooks:      on_finish; 1 waiting to run"), doctor);
  const workers = startWorkers(db, 1);
  try {
    // `{exit_code}` is empty for a job that never ran: echo prints its empty word.
    const want = ["bad1 dead 3", "child canceled ", "later canceled ", "ok1 completed 0"];
    await waitFor(async () => (await lines(out)).length >= want.length, { what: "4 hook lines" });
    assertEquals(await lines(out), want);
    await using store = await storeOf(db);
    await waitFor(async () => await countHooks(store) === 0, { what: "an empty outbox" });
    const m = await metricsJson(db);
    assertEquals([m.hook_ok, m.hook_failed], [4, 0]);
  } finally {
    await workers.stop();
  }
});

Deno.test("on_finish values are shell-quoted and also given as QUEUECTL_HOOK_* variables", async () => {
  await using db = await tempDb();
  await createDb(db);
  const out = join(db.dir, "hooks.txt");
  await cliOk(db, [
    "config",
    "set",
    "on_finish",
    `printf '%s|%s|%s\\n' {command} "$QUEUECTL_HOOK_ID" "\${QUEUECTL_HOOK_QUEUE}" >> ${out}`,
  ]);
  await cliOk(db, ["enqueue", "--id", "q1", "echo 'a;b' $(true) >/dev/null"]);
  const workers = startWorkers(db, 1);
  try {
    await waitFor(async () => (await lines(out)).length === 1, { what: "the hook line" });
    assertEquals(await lines(out), ["echo 'a;b' $(true) >/dev/null|q1|default"]);
  } finally {
    await workers.stop();
  }
});

Deno.test("the on_finish_url hook POSTs the final job JSON and retries a server that fails first", async () => {
  await using db = await tempDb();
  await using server = receiver((n) => new Response(null, { status: n === 1 ? 503 : 204 }));
  await createDb(db);
  await cliOk(db, ["config", "set", "on_finish_url", server.url]);
  await cliOk(db, ["enqueue", "--id", "u1", "exit 0"]);
  const workers = startWorkers(db, 1);
  try {
    await waitFor(() => server.requests() === 2, { what: "the retried POST" });
    const [first, second] = server.bodies as { id: string; state: string; exit_code: number }[];
    assertEquals([first!.id, first!.state, first!.exit_code], ["u1", "completed", 0]);
    assertEquals(second, first);
    await waitFor(async () => (await metricsJson(db)).hook_ok === 1, { what: "hook_ok 1" });
    assertEquals((await metricsJson(db)).hook_failed, 0);
  } finally {
    await workers.stop();
  }
});

Deno.test("a URL hook that never answers times out, is logged and counted, and neither changes the job nor stops the worker", async () => {
  await using db = await tempDb();
  const never = Promise.withResolvers<Response>();
  await using server = receiver(() => never.promise);
  await createDb(db);
  await cliOk(db, ["config", "set", "on_finish_url", server.url]);
  await cliOk(db, ["config", "set", "on_finish_timeout", "300ms"]);
  await cliOk(db, ["enqueue", "--id", "t1", "exit 0"]);
  const workers = startWorkers(db, 1);
  try {
    await waitFor(() => server.requests() >= 1, { what: "the first POST" });
    // The hook runs beside the jobs: a job enqueued while it waits is claimed and run.
    await cliOk(db, ["enqueue", "--id", "t2", "exit 0"]);
    await waitFor(async () => (await showJob(db, "t2")).state === "completed", { what: "t2" });
    const t1Failed = (l: string) => /hook\.failed .*job=t1 /.test(l);
    await waitFor(() => workers.log().split("\n").some(t1Failed), { what: "hook.failed" });
    const failed = workers.log().split("\n").filter(t1Failed);
    assertEquals(failed.length, 1, workers.log());
    ok(/job=t1 kind=url reason="timed out after 300 ms \(try 3\)"/.test(failed[0]!), failed[0]);
    // t2's hook waits on the same server; t1's had its three tries.
    const t1Posts = server.bodies.filter((b) => (b as { id: string }).id === "t1");
    assertEquals(t1Posts.length, 3);
    const job = await showJob(db, "t1");
    assertEquals([job.state, job.attempts], ["completed", 1]);
    // t2's hook fails the same way, later: at least t1's is counted.
    await waitFor(async () => (await metricsJson(db)).hook_failed >= 1, { what: "hook_failed" });
  } finally {
    never.resolve(new Response(null, { status: 204 }));
    await workers.stop();
  }
});

Deno.test("a failing on_finish command is logged and counted, and the job stays dead", async () => {
  await using db = await tempDb();
  await createDb(db);
  await cliOk(db, ["config", "set", "on_finish", "echo nope >&2; exit 7"]);
  await cliOk(db, ["enqueue", "--id", "f1", "--max-retries", "0", "exit 1"]);
  const workers = startWorkers(db, 1);
  try {
    await waitFor(() => workers.log().includes("hook.failed"), { what: "hook.failed" });
    ok(workers.log().includes('job=f1 kind=command reason="exit code 7: nope"'), workers.log());
    await waitFor(async () => (await metricsJson(db)).hook_failed === 1, { what: "hook_failed" });
    const job = await showJob(db, "f1");
    assertEquals([job.state, job.exit_code], ["dead", 1]);
  } finally {
    await workers.stop();
  }
});

Deno.test("a stopping worker gives a running hook a short grace, then abandons it and leaves its entry for another worker", async () => {
  await using db = await tempDb();
  await createDb(db);
  const started = join(db.dir, "started");
  await cliOk(db, ["config", "set", "on_finish", `touch ${started}; sleep 60`]);
  await cliOk(db, ["enqueue", "--id", "s1", "true"]);
  const workers = startWorkers(db, 1);
  try {
    await waitFor(() => Deno.stat(started).then(() => true, () => false), { what: "the hook" });
  } finally {
    assertEquals(await workers.stop(), 0);
  }
  ok(/hook\.waiting .*in_flight=1 grace_ms=5000/.test(workers.log()), workers.log());
  ok(/hook\.abandoned .*in_flight=1/.test(workers.log()), workers.log());
  assertEquals((await showJob(db, "s1")).state, "completed");
  await using store = await storeOf(db);
  assertEquals(await countHooks(store), 1);
});

Deno.test("bad hook config is one line, exit 2, and nothing written", async () => {
  await using db = await tempDb();
  await createDb(db);
  const cases: [string[], RegExp][] = [
    [["on_finish_url", "ftp://x"], /on_finish_url must be an http or https URL, got "ftp:\/\/x"/],
    [["on_finish_url", "not a url"], /on_finish_url must be an http or https URL/],
    [["on_finish", "echo {id} {job}"], /unknown placeholder \{job\} \(known: \{id\}, \{state\}/],
    [["on_finish_timeout", "0"], /on_finish_timeout must be a duration from 100ms to 10m/],
  ];
  for (const [args, pattern] of cases) {
    assertOneLineError(await cli(db, ["config", "set", ...args]), 2, pattern, args.join(" "));
  }
  const shown = JSON.parse(await cliOk(db, ["config", "show", "--json"]));
  assertEquals([shown.on_finish, shown.on_finish_url, shown.on_finish_timeout], ["", "", 10_000]);
});
