/**
 * queuectl on a remote KV, end to end: the real CLI and worker subprocesses talk KV Connect
 * (Deno's own remote client) to a protocol server in this process. Covers the clear failures
 * (unreachable, unresponsive, bad or missing token), the lifecycle over the wire within the
 * server's limits, workers on two hosts, and wake-up through `kv.watch`.
 *
 * @module
 */
import { deepStrictEqual, equal, match, ok } from "node:assert/strict";
import { join } from "node:path";
import {
  assertOneLineError,
  cli,
  cliOk,
  createDb,
  showJob,
  type TempDb,
  waitFor,
  waitForJob,
  workersFor,
} from "./helpers.ts";
import { closedPort, remoteQueue } from "./support/remote_queue.ts";

// deno-lint-ignore no-explicit-any
type Json = Record<string, any>;

/** Runs the CLI and fails unless it ended within `ms`. */
async function timed(db: TempDb, args: string[], env: Record<string, string>, ms: number) {
  const t0 = Date.now();
  const r = await cli(db, args, { env });
  const took = Date.now() - t0;
  ok(took < ms, `queuectl ${args.join(" ")} took ${took} ms, more than ${ms}`);
  return r;
}

Deno.test("an unreachable remote URL fails with one line and exit 1, at once", async () => {
  await using q = await remoteQueue();
  const url = `http://127.0.0.1:${closedPort()}`;
  const r = await timed(q.db, ["status"], { QUEUECTL_DB: url }, 10_000);
  assertOneLineError(
    r,
    1,
    /cannot open database http:\/\/127\.0\.0\.1:\d+: cannot reach the server/,
  );
});

Deno.test("a server that never answers fails after QUEUECTL_DB_TIMEOUT, not never", async () => {
  await using q = await remoteQueue();
  q.server.hang = true;
  const r = await timed(
    q.db,
    ["enqueue", "--command", "true"],
    { QUEUECTL_DB_TIMEOUT: "1s" },
    10_000,
  );
  assertOneLineError(r, 1, /did not answer within 1s/);
});

Deno.test("a wrong access token is refused by the server: one line, exit 1", async () => {
  await using q = await remoteQueue();
  const r = await timed(q.db, ["status"], { DENO_KV_ACCESS_TOKEN: "not-the-token-at-all" }, 10_000);
  assertOneLineError(r, 1, /refused the access token in DENO_KV_ACCESS_TOKEN \(401 Unauthorized/);
});

Deno.test("a missing access token is named before anything is sent", async () => {
  await using q = await remoteQueue();
  const r = await timed(q.db, ["status"], { DENO_KV_ACCESS_TOKEN: "" }, 10_000);
  assertOneLineError(r, 1, /DENO_KV_ACCESS_TOKEN is not set/);
  equal(q.server.requests["/"] ?? 0, 0);
});

Deno.test("a plain HTTP server that answers 401 gives the same clear error", async () => {
  await using q = await remoteQueue();
  const srv = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen: () => {} },
    () => new Response("Invalid access token.", { status: 401 }),
  );
  try {
    const url = `http://127.0.0.1:${srv.addr.port}`;
    const r = await timed(q.db, ["list"], { QUEUECTL_DB: url }, 10_000);
    assertOneLineError(r, 1, /refused the access token/);
  } finally {
    await srv.shutdown();
  }
});

Deno.test("the job lifecycle works over KV Connect within the server's limits", async () => {
  await using q = await remoteQueue();
  const { db } = q;
  await cliOk(db, ["config", "set", "backoff_base", "1"]);
  equal(
    (await cliOk(db, ["enqueue", "--command", "echo over the wire", "--id", "ok"])).trim(),
    "ok",
  );
  await cliOk(db, ["enqueue", "--command", "exit 4", "--id", "bad", "--max-retries", "1"]);
  // Bulk enqueue fills atomic operations up to the limits the server enforces.
  const file = join(db.dir, "bulk.ndjson");
  await Deno.writeTextFile(
    file,
    Array.from({ length: 120 }, (_, i) => JSON.stringify({ command: "true", id: `b${i}` })).join(
      "\n",
    ),
  );
  equal((await cliOk(db, ["enqueue", "--file", file])).trim(), "enqueued 120 jobs");
  {
    await using _workers = workersFor(db, 2);
    await waitFor(async () => {
      const c = JSON.parse(await cliOk(db, ["status", "--json"])).counts;
      return c.completed === 121 && c.dead === 1;
    }, { timeoutMs: 60_000, intervalMs: 200, what: "the remote queue to settle" });
  }
  equal(await cliOk(db, ["logs", "ok"]), "over the wire\n");
  const bad = await waitForJob(db, "bad", (j) => j.state === "dead");
  equal(bad.history.length, 2);
  equal((await cliOk(db, ["dlq", "retry", "bad"])).trim(), "bad requeued");
  equal((await showJob(db, "bad")).state, "pending");
  const doctor = JSON.parse(await cliOk(db, ["doctor", "--json"]));
  equal(doctor.backend, "remote");
  deepStrictEqual(doctor.violations, []);
  equal(doctor.wake.kind, "watch");
  ok(doctor.wake.delivered, "watch delivers on the remote KV");
  equal(doctor.limits.strict, true);
  equal(typeof doctor.commit_ms.large_waits, "boolean", "doctor times a commit past 1 KB");
  ok((q.server.requests["/v2/atomic_write"] ?? 0) > 0);
});

Deno.test("shell-native jobs work over KV Connect: folder and env, labels, --after, hold and release, wait's code, bulk cancel", async () => {
  await using q = await remoteQueue();
  const { db } = q;
  const dir = await Deno.makeTempDir({ dir: db.dir });
  const job = (...args: string[]) => cliOk(db, ["enqueue", ...args]);
  await job(
    "--id",
    "a",
    "--cwd",
    dir,
    "--env",
    "GREETING=hi",
    "--label",
    "batch=1",
    "echo $GREETING in $(pwd)",
  );
  await job("--id", "b", "--after", "a", "--label", "batch=1", "--max-retries", "0", "exit 7");
  await job("--id", "h", "--hold", "--label", "batch=2", "true");
  await job("--id", "s", "--delay", "1h", "--label", "batch=2", "true");
  equal((await cli(db, ["enqueue", "--after", "nosuch", "true"])).code, 1);
  deepStrictEqual(
    JSON.parse(await cliOk(db, ["status", "--json", "--label", "batch=1"])).counts.blocked,
    1,
  );
  {
    await using _workers = workersFor(db, 2);
    equal((await cli(db, ["wait", "b"])).code, 7);
    equal(await cliOk(db, ["logs", "a"]), `hi in ${dir}\n`);
    equal((await cli(db, ["wait", "--timeout", "1s", "h"])).code, 124);
    equal((await cliOk(db, ["release", "h"])).trim(), "h is now pending");
    equal((await cli(db, ["wait", "h"])).code, 0);
  }
  match(await cliOk(db, ["show", "a", "--env"]), /GREETING=hi/);
  match(await cliOk(db, ["cancel", "--label", "batch=2"]), /^1 job canceled; 1 skipped/);
  equal((await cli(db, ["wait", "s"])).code, 121);
  deepStrictEqual(JSON.parse(await cliOk(db, ["doctor", "--json"])).violations, []);
});

Deno.test("idle workers on two hosts wake through kv.watch, not by polling", async () => {
  await using q = await remoteQueue();
  const { db } = q;
  // With a one-minute poll, only the watch can start a job within seconds.
  await cliOk(db, ["config", "set", "poll_interval_ms", "60000"]);
  await using _a = workersFor({ ...db, env: { ...db.env, QUEUECTL_HOSTNAME: "host-a" } }, 1);
  await using _b = workersFor({ ...db, env: { ...db.env, QUEUECTL_HOSTNAME: "host-b" } }, 1);
  const workers = await waitFor(async () => {
    const list: Json[] = JSON.parse(await cliOk(db, ["worker", "list", "--json"]));
    return list.length === 2 && list.every((w) => w.state === "idle") ? list : null;
  }, { timeoutMs: 30_000, what: "two idle workers" });
  deepStrictEqual(workers.map((w) => w.host).sort(), ["host-a", "host-b"]);
  ok(workers.every((w) => w.id.startsWith(`${w.host}:`)), "worker ids carry the host");
  const status = await cliOk(db, ["status"]);
  match(status, /host host-a/);
  match(status, /host host-b/);
  // Let both settle into their long wait.
  await new Promise((r) => setTimeout(r, 300));
  for (let i = 0; i < 3; i++) {
    const t0 = Date.now();
    const id = (await cliOk(db, ["enqueue", "--command", "true"])).trim();
    await waitForJob(db, id, (j) => j.state === "completed", { timeoutMs: 20_000 });
    const took = Date.now() - t0;
    ok(took < 10_000, `job ${i} took ${took} ms: the watch did not wake a worker`);
  }
  ok((q.server.requests["/v2/watch"] ?? 0) >= 2, "each worker watches the doorbell");
});

Deno.test("a worker warns when its clock is far from the server's", async () => {
  await using q = await remoteQueue({ clockOffsetMs: 5000 });
  const doctor = JSON.parse(await cliOk(q.db, ["doctor", "--json"]));
  ok(
    Math.abs(doctor.clock.offset_ms - 5000) <= doctor.clock.uncertainty_ms + 50,
    JSON.stringify(doctor.clock),
  );
  ok(doctor.clock.uncertainty_ms < 400, "the sampled Date header narrows the offset");
  await using workers = workersFor(q.db, 1);
  await waitFor(() => /warn clock\.skew /.test(workers.log()), {
    timeoutMs: 20_000,
    what: "a clock.skew warning",
  });
  match(
    workers.log(),
    /warn clock\.skew worker=\S+ offset_ms=(4|5)\d\d\d uncertainty_ms=\d+ tolerated_ms=9000/,
  );
  // The worker publishes its offset, so doctor can tell how far apart the hosts are.
  const listed = await waitFor(async () => {
    const list: Json[] = JSON.parse(await cliOk(q.db, ["worker", "list", "--json"]));
    return typeof list[0]?.clock_offset_ms === "number" ? list[0] : null;
  }, { what: "the worker's published clock offset" });
  ok(Math.abs(listed.clock_offset_ms - 5000) < 500, JSON.stringify(listed));
  const again = JSON.parse(await cliOk(q.db, ["doctor", "--json"]));
  equal(again.clock.workers_measured, 1);
  equal(again.clock.workers_spread_ms, 0);
});

Deno.test("CLI and worker subprocesses inherit strict limits mode", async () => {
  await using q = await remoteQueue();
  const path = join(q.db.dir, "q.kv");
  // Without the helpers' own setting, a subprocess is strict exactly when this process is:
  // under `deno task test`, always.
  const { QUEUECTL_STRICT_LIMITS: _, ...inherited } = q.db.env;
  const bare = { ...q.db, env: { ...inherited, QUEUECTL_DB: path } };
  const strictHere = Deno.env.get("QUEUECTL_STRICT_LIMITS") === "1";
  await createDb({ ...q.db, path }); // doctor reads; it creates no database.
  equal(JSON.parse(await cliOk(bare, ["doctor", "--json"])).limits.strict, strictHere);
  const local = { ...q.db, env: { ...q.db.env, QUEUECTL_DB: path } };
  equal(JSON.parse(await cliOk(local, ["doctor", "--json"])).limits.strict, true);
  await using workers = workersFor(local, 1);
  await waitFor(() => /worker\.started .*strict=true/.test(workers.log()), {
    what: "a strict worker",
  });
});

Deno.test("a worker whose server stops answering fails within the deadline and comes back with it", async () => {
  await using q = await remoteQueue();
  const db = { ...q.db, env: { ...q.db.env, QUEUECTL_DB_TIMEOUT: "1s" } };
  await using workers = workersFor(db, 1);
  const first = await waitFor(async () => {
    const list: Json[] = JSON.parse(await cliOk(q.db, ["worker", "list", "--json"]));
    return list[0]?.id as string | undefined;
  }, { timeoutMs: 30_000, what: "a registered worker" });
  q.server.hang = true;
  await waitFor(() => /error worker\.failed .*did not answer within 1s/.test(workers.log()), {
    timeoutMs: 15_000,
    what: "the worker to give up on the silent server",
  });
  q.server.hang = false;
  // Its supervisor restarts it; the new worker registers on the server that answers again.
  await waitFor(async () => {
    const list: Json[] = JSON.parse(await cliOk(q.db, ["worker", "list", "--json"]));
    return list.some((w) => w.id !== first);
  }, { timeoutMs: 30_000, what: "a restarted worker" });
  const id = (await cliOk(q.db, ["enqueue", "--command", "true"])).trim();
  await waitForJob(q.db, id, (j) => j.state === "completed", { timeoutMs: 20_000 });
});

Deno.test("a QUEUECTL_DB_TIMEOUT that is not a duration is bad input: exit 2", async () => {
  await using q = await remoteQueue();
  const r = await cli(q.db, ["status"], { env: { QUEUECTL_DB_TIMEOUT: "soon" } });
  assertOneLineError(r, 2, /QUEUECTL_DB_TIMEOUT must be a duration such as 10s, got "soon"/);
  equal(q.server.requests["/"] ?? 0, 0);
});
