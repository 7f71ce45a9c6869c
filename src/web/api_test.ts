import { deepStrictEqual as assertEquals, match, ok, strictEqual } from "node:assert/strict";
import {
  checkInvariants,
  counters,
  countsOf,
  enqueue,
  enqueueAndClaim,
  failure,
  registerWorker,
  report,
  SETTINGS,
  spec,
  T0,
} from "../../tests/factory.ts";
import { errorOf, get, jsonOf, post, webFixture } from "../../tests/web_fixture.ts";
import { finishAttempt } from "../store/finish.ts";
import { writeOutputChunk } from "../store/output.ts";

// deno-lint-ignore no-explicit-any
type Json = Record<string, any>;

Deno.test("GET /api/status gives counts per state, workers with heartbeat age, and the DLQ size", async () => {
  await using web = await webFixture();
  await enqueue(web.store, [spec(), spec(), spec({ run_at: Date.now() + 60_000 })]);
  await registerWorker(web.store, { id: "w1", host: "box", heartbeat_at: Date.now() - 3000 });
  const body = await jsonOf<Json>(await web.handle(get("/api/status")), 200);
  assertEquals(body.counts, countsOf({ pending: 2, scheduled: 1 }));
  strictEqual(body.dlq, 0);
  strictEqual(body.auth_required, false);
  strictEqual(body.workers.length, 1);
  strictEqual(body.workers[0].id, "w1");
  strictEqual(body.workers[0].host, "box");
  ok(body.workers[0].heartbeat_age_ms >= 3000 && body.workers[0].heartbeat_age_ms < 60_000);
});

Deno.test("GET /api/jobs pages a state by opaque cursor, oldest or newest first", async () => {
  await using web = await webFixture();
  const jobs = await enqueue(web.store, ["a", "b", "c", "d", "e"].map((id) => spec({ id })));
  const walk = async (order: string) => {
    const seen: string[] = [];
    let cursor = "";
    for (let i = 0; i < 10; i++) {
      const q = `/api/jobs?state=pending&limit=2&order=${order}${
        cursor ? `&cursor=${cursor}` : ""
      }`;
      const page = await jsonOf<Json>(await web.handle(get(q)), 200);
      seen.push(...page.jobs.map((j: Json) => j.id));
      if (!page.next_cursor) break;
      cursor = encodeURIComponent(page.next_cursor);
    }
    return seen;
  };
  assertEquals(await walk("oldest"), jobs.map((j) => j.id));
  assertEquals(await walk("newest"), jobs.map((j) => j.id).reverse());
  const all = await jsonOf<Json>(await web.handle(get("/api/jobs")), 200);
  strictEqual(all.jobs.length, 5);
  strictEqual(all.jobs[0].state, "pending");
  strictEqual(typeof all.jobs[0].created_at, "string", "the CLI's JSON form, ISO times");
  strictEqual(all.next_cursor, null);
});

Deno.test("GET /api/jobs?q= finds by id or command and says how far it looked", async () => {
  await using web = await webFixture();
  await enqueue(web.store, [
    spec({ id: "backup-1", command: "tar czf x.tgz ." }),
    spec({ id: "r", command: "make report" }),
  ]);
  const byCommand = await jsonOf<Json>(await web.handle(get("/api/jobs?q=REPORT")), 200);
  assertEquals(byCommand.jobs.map((j: Json) => j.id), ["r"]);
  assertEquals(byCommand.search, {
    scanned: 2,
    complete: true,
    partial: false,
    by: "id and command",
  });
  const byId = await jsonOf<Json>(await web.handle(get("/api/jobs?q=backup-1&state=pending")), 200);
  assertEquals(byId.jobs.map((j: Json) => j.id), ["backup-1"]);
});

Deno.test("GET /api/jobs refuses a bad state, limit, order, cursor or parameter with one line", async () => {
  await using web = await webFixture();
  const cases: [string, RegExp][] = [
    ["/api/jobs?state=done", /unknown state "done"/],
    ["/api/jobs?limit=0", /limit must be an integer from 1 to 1000/],
    ["/api/jobs?limit=abc", /limit must be an integer/],
    ["/api/jobs?order=up", /order must be oldest or newest/],
    ["/api/jobs?cursor=%%%", /invalid cursor/],
    ["/api/jobs?stat=dead", /unknown parameter "stat" \(did you mean "state"\?\)/],
  ];
  for (const [path, pattern] of cases) {
    match(await errorOf(await web.handle(get(path)), 400), pattern);
  }
});

Deno.test("an oversized cursor, search text or job id is a one-line 400 and logs nothing", async () => {
  await using web = await webFixture();
  const big = "x".repeat(5000); // a key of 5,000 bytes, beyond KV's 2,048
  const cursor = (position: unknown[]) => encodeURIComponent(btoa(JSON.stringify(position)));
  const cases: [Request, RegExp][] = [
    [get(`/api/jobs?cursor=${cursor([big])}`), /^invalid cursor: \d+ characters, at most 512/],
    [get(`/api/jobs?state=dead&order=newest&cursor=${cursor([big, "a"])}`), /invalid cursor/],
    [get(`/api/jobs?q=${big}&cursor=${cursor([big])}`), /^q must be at most 1000 characters/],
    [get(`/api/jobs?q=${big}`), /^q must be at most 1000 characters, got 5000$/],
    [get(`/api/jobs/${big}`), /^job id must be 1-128 characters of .*, got 5000 characters$/],
    [get(`/api/jobs/${big}/logs`), /^job id must be/],
    [
      get(`/api/jobs/a/logs?stream=${big}`),
      /^stream must be stdout or stderr or merged, got "x{60}…"$/,
    ],
    [get(`/api/jobs?state=${big}`), /^unknown state "x{60}…" \(known: /],
    [get("/api/jobs/a%20b"), /^job id must be .*, got "a b"$/],
    [post(`/api/jobs/${big}/cancel`), /^job id must be/],
    [post(`/api/jobs/${big}/retry`), /^job id must be/],
    [post(`/api/jobs/${big}`, undefined, { method: "DELETE" }), /^job id must be/],
  ];
  for (const [req, pattern] of cases) {
    match(await errorOf(await web.handle(req), 400), pattern, req.url.slice(0, 80));
  }
  // Search text at the limit that is not an id shape is scanned for, never looked up as a key.
  const wide = await web.handle(get(`/api/jobs?q=${encodeURIComponent("é".repeat(1000))}`));
  assertEquals((await jsonOf<Json>(wide, 200)).jobs, []);
  assertEquals(web.logs, [], "bad input logs no stack trace");
});

Deno.test("GET /api/jobs/:id gives the job with its history; an unknown id is a 404", async () => {
  await using web = await webFixture();
  const c = await enqueueAndClaim(web.store, spec({ id: "a", max_retries: 0 }));
  await finishAttempt(web.store, c, failure(3), { now: T0 + 5, settings: SETTINGS });
  const body = await jsonOf<Json>(await web.handle(get("/api/jobs/a")), 200);
  strictEqual(body.state, "dead");
  strictEqual(body.exit_code, 3);
  strictEqual(body.history.length, 1);
  strictEqual(body.history[0].outcome, "failed");
  strictEqual(body.history[0].started_at, new Date(T0).toISOString());
  match(await errorOf(await web.handle(get("/api/jobs/nope")), 404), /job "nope" not found/);
});

Deno.test("GET /api/jobs/:id/logs serves raw output from an offset, per stream and attempt", async () => {
  await using web = await webFixture();
  const c = await enqueueAndClaim(web.store, spec({ id: "a" }));
  const enc = new TextEncoder();
  await writeOutputChunk(
    web.store,
    { id: "a", n: 1, stream: "stdout", chunk: 0 },
    enc.encode("hello <b>"),
  );
  await writeOutputChunk(
    web.store,
    { id: "a", n: 1, stream: "stderr", chunk: 0 },
    enc.encode("oops"),
  );
  let res = await web.handle(get("/api/jobs/a/logs"));
  strictEqual(res.status, 200);
  strictEqual(res.headers.get("content-type"), "text/plain; charset=utf-8");
  strictEqual(res.headers.get("x-queuectl-running"), "true");
  strictEqual(res.headers.get("x-queuectl-offset"), "9");
  strictEqual(await res.text(), "hello <b>");
  await writeOutputChunk(
    web.store,
    { id: "a", n: 1, stream: "stdout", chunk: 0 },
    enc.encode("hello <b>world"),
  );
  await finishAttempt(web.store, c, report(), { now: T0 + 5, settings: SETTINGS });
  res = await web.handle(get("/api/jobs/a/logs?offset=9&attempt=1"));
  strictEqual(await res.text(), "world");
  strictEqual(res.headers.get("x-queuectl-running"), "false");
  strictEqual(await (await web.handle(get("/api/jobs/a/logs?stream=stderr"))).text(), "oops");
  match(await errorOf(await web.handle(get("/api/jobs/a/logs?attempt=2")), 404), /has 1 attempt/);
  match(
    await errorOf(await web.handle(get("/api/jobs/a/logs?stream=both")), 400),
    /stream must be/,
  );
  match(await errorOf(await web.handle(get("/api/jobs/zz/logs")), 404), /not found/);
  await enqueue(web.store, spec({ id: "fresh" }));
  res = await web.handle(get("/api/jobs/fresh/logs"));
  strictEqual(res.headers.get("x-queuectl-attempt"), "0");
  strictEqual(await res.text(), "");
});

Deno.test("POST /api/jobs enqueues with the CLI's validation: 201, 400, 409, 413, 415", async () => {
  await using web = await webFixture();
  const res = await web.handle(
    post("/api/jobs", { id: "j1", command: "echo hi", priority: 5, delay: "1h" }),
  );
  const job = await jsonOf<Json>(res, 201);
  strictEqual(res.headers.get("location"), "/api/jobs/j1");
  assertEquals([job.id, job.state, job.priority, job.max_retries], ["j1", "scheduled", 5, 3]);
  const before = await counters(web.store);
  const bad: [unknown, RegExp][] = [
    [{ comand: "x" }, /^unknown field "comand" in job spec \(did you mean "command"\?\)$/],
    [{ command: "x", priority: 5000 }, /priority must be an integer from -1000 to 1000, got 5000/],
    [{ command: "" }, /needs a non-empty "command"/],
    [{ command: "x", id: "bad id!" }, /id/],
    ["{not json", /^invalid job JSON/],
    [[{ command: "x" }], /must be a JSON object/],
  ];
  for (const [body, pattern] of bad) {
    match(await errorOf(await web.handle(post("/api/jobs", body)), 400), pattern);
  }
  match(
    await errorOf(await web.handle(post("/api/jobs", { id: "j1", command: "x" })), 409),
    /job "j1" already exists/,
  );
  const form = post("/api/jobs", "command=x", { headers: { "Content-Type": "text/plain" } });
  match(await errorOf(await web.handle(form), 415), /application\/json/);
  const huge = post("/api/jobs", { command: "x".repeat(70_000) });
  match(await errorOf(await web.handle(huge), 413), /larger than/);
  assertEquals(await counters(web.store), before, "nothing was written by a refused request");
  await checkInvariants(web.store);
});

Deno.test("POST /api/jobs/:id/retry requeues a dead job; unfinished states are a 409, unknown a 404", async () => {
  await using web = await webFixture();
  const c = await enqueueAndClaim(web.store, spec({ id: "d", max_retries: 0 }));
  await finishAttempt(web.store, c, failure(1), { now: T0 + 1, settings: SETTINGS });
  await enqueue(web.store, spec({ id: "p" }));
  const job = await jsonOf<Json>(await web.handle(post("/api/jobs/d/retry")), 200);
  assertEquals([job.state, job.attempts], ["pending", 0]);
  match(await errorOf(await web.handle(post("/api/jobs/p/retry")), 409), /only a completed, dead/);
  match(await errorOf(await web.handle(post("/api/jobs/zz/retry")), 404), /not found/);
  await checkInvariants(web.store);
});

Deno.test("POST /api/jobs/:id/cancel cancels a waiting job and asks a running one to stop", async () => {
  await using web = await webFixture();
  await enqueue(web.store, spec({ id: "w" }));
  const waiting = await jsonOf<Json>(await web.handle(post("/api/jobs/w/cancel")), 200);
  strictEqual(waiting.state, "canceled");
  await enqueueAndClaim(web.store, spec({ id: "r", priority: 9 }));
  const running = await jsonOf<Json>(await web.handle(post("/api/jobs/r/cancel")), 200);
  assertEquals([running.state, running.cancel_requested], ["processing", true]);
  match(await errorOf(await web.handle(post("/api/jobs/w/cancel")), 409), /cannot be canceled/);
  match(await errorOf(await web.handle(post("/api/jobs/zz/cancel")), 404), /not found/);
  await checkInvariants(web.store);
});

Deno.test("DELETE /api/jobs/:id removes a finished job; a waiting one is a 409", async () => {
  await using web = await webFixture();
  await enqueue(web.store, [spec({ id: "w" }), spec({ id: "x" })]);
  await web.handle(post("/api/jobs/x/cancel"));
  const del = (id: string) => post(`/api/jobs/${id}`, undefined, { method: "DELETE" });
  assertEquals(await jsonOf(await web.handle(del("x")), 200), { deleted: "x" });
  match(await errorOf(await web.handle(del("w")), 409), /cancel it before deleting/);
  match(await errorOf(await web.handle(del("x")), 404), /not found/);
});

Deno.test("POST /api/dlq/retry and /api/dlq/purge act on every dead job", async () => {
  await using web = await webFixture();
  for (const id of ["d1", "d2", "d3"]) {
    const c = await enqueueAndClaim(web.store, spec({ id, max_retries: 0 }));
    await finishAttempt(web.store, c, failure(1), { now: T0 + 1, settings: SETTINGS });
  }
  assertEquals(await jsonOf(await web.handle(post("/api/dlq/retry")), 200), { requeued: 3 });
  strictEqual((await counters(web.store)).pending, 3);
  for (let i = 0; i < 2; i++) {
    const c = await enqueueAndClaim(web.store, spec({ priority: 100, max_retries: 0 }));
    await finishAttempt(web.store, c, failure(1), { now: T0 + 2, settings: SETTINGS });
  }
  assertEquals(await jsonOf(await web.handle(post("/api/dlq/purge")), 200), { purged: 2 });
  strictEqual((await counters(web.store)).dead, 0);
  await checkInvariants(web.store);
});

Deno.test("GET /api/workers lists the registry", async () => {
  await using web = await webFixture();
  await registerWorker(web.store, { id: "w9", job: "a", heartbeat_at: Date.now() });
  const list = await jsonOf<Json[]>(await web.handle(get("/api/workers")), 200);
  assertEquals(list.map((w) => [w.id, w.job, w.state]), [["w9", "a", "busy"]]);
});

Deno.test("GET /api/metrics gives the last-hour report of queuectl metrics --json", async () => {
  await using web = await webFixture();
  const now = Date.now();
  const c = await enqueueAndClaim(web.store, spec({ id: "a" }), { now });
  await finishAttempt(web.store, c, report(), { now: now + 20, settings: SETTINGS });
  const m = await jsonOf<Json>(await web.handle(get("/api/metrics")), 200);
  strictEqual(m.per_minute.length, 60);
  strictEqual(m.window.completed, 1);
  strictEqual(m.success_rate, 1);
  strictEqual(m.per_minute.at(-1).completed + m.per_minute.at(-2).completed, 1);
});
