/**
 * The dashboard's bulk and worker-control routes over HTTP against a real `queuectl web`:
 * what they do, how they refuse bad input (400, nothing written), and the #5 security checks
 * (token, Host, Origin, cross-site) applied to each of them.
 *
 * @module
 */
import { deepStrictEqual as assertEquals, match, ok, strictEqual } from "node:assert/strict";
import { join } from "node:path";
import { cliOk, statusCounts, type TempDb, tempDb, waitFor } from "./helpers.ts";
import { startWeb, type WebServer } from "./web_server.ts";

// deno-lint-ignore no-explicit-any
type Json = any;

const TOKEN = "a-long-enough-test-token";

/** The new routes that change something, each with a body it would accept. */
const ROUTES: [string, unknown][] = [
  ["/api/jobs/bulk", { action: "cancel", selector: { all: true } }],
  ["/api/workers/start", { count: 1 }],
  ["/api/workers/stop", { all: true }],
];

/** POSTs JSON as the page does: with this server's Origin unless `headers` says otherwise. */
function post(web: WebServer, path: string, body: unknown, headers: Record<string, string> = {}) {
  return fetch(web.url + path, {
    method: "POST",
    headers: { "Content-Type": "application/json", Origin: web.url, ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
}

async function errorOf(res: Response, status: number): Promise<string> {
  const body = await res.json();
  strictEqual(res.status, status, JSON.stringify(body));
  return body.error;
}

/** The NDJSON lines of a bulk answer. */
async function lines(res: Response): Promise<Json[]> {
  strictEqual(res.status, 200);
  match(res.headers.get("content-type") ?? "", /application\/x-ndjson/);
  return (await res.text()).trim().split("\n").map((l) => JSON.parse(l));
}

/** Sends a raw request with any Host header (fetch always sends the URL's). */
async function rawStatus(web: WebServer, path: string, host: string): Promise<number> {
  const port = Number(new URL(web.url).port);
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  const body = JSON.stringify({ all: true });
  const head = `POST ${path} HTTP/1.1\r\nHost: ${host}\r\nOrigin: http://${host}\r\n` +
    `Content-Type: application/json\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n`;
  await conn.write(new TextEncoder().encode(head + body));
  let text = "";
  const buf = new Uint8Array(4096);
  for (;;) {
    const n = await conn.read(buf);
    if (n === null) break;
    text += new TextDecoder().decode(buf.subarray(0, n));
    if (text.includes("\r\n")) break;
  }
  conn.close();
  return Number(/^HTTP\/1\.1 (\d+)/.exec(text)?.[1]);
}

async function scheduled(db: TempDb, n: number, extra: Record<string, unknown> = {}) {
  const file = join(db.dir, `specs-${n}-${Math.random()}.ndjson`);
  const spec = (i: number) => JSON.stringify({ command: `echo ${i}`, delay: "1h", ...extra });
  await Deno.writeTextFile(file, Array.from({ length: n }, (_, i) => spec(i)).join("\n") + "\n");
  await cliOk(db, ["enqueue", "--file", file]);
}

Deno.test("POST /api/jobs/bulk cancels the selector's jobs in one request, streams progress and ends with changed, skipped and not-found counts", async () => {
  await using db = await tempDb();
  await scheduled(db, 250, { queue: "mail" });
  await scheduled(db, 30, { labels: { batch: "7" } });
  await using web = await startWeb(db);

  const byQueue = await lines(
    await post(web, "/api/jobs/bulk", {
      action: "cancel",
      selector: { state: "scheduled", queue: "mail" },
    }),
  );
  assertEquals(byQueue[0], { done: 0, total: 250 });
  const last = byQueue[byQueue.length - 1];
  assertEquals(
    [last.result.changed, last.result.skipped, last.result.not_found],
    [250, 0, 0],
  );
  const counts = await statusCounts(db);
  assertEquals([counts.canceled, counts.scheduled], [250, 30]);

  // Ids: one missing is counted, a canceled one is skipped, the others are retried.
  const ids: string[] = JSON.parse(await cliOk(db, ["list", "--state", "canceled", "--json"]))
    .slice(0, 3).map((j: Json) => j.id);
  const retried = await lines(
    await post(web, "/api/jobs/bulk", { action: "retry", ids: [...ids, "no-such-job"] }),
  );
  const r = retried[retried.length - 1].result;
  assertEquals([r.changed, r.skipped, r.not_found, r.missing], [3, 0, 1, ["no-such-job"]]);

  // A label with a state, and delete skipping what is not finished.
  const del = await lines(
    await post(web, "/api/jobs/bulk", { action: "delete", selector: { label: "batch=7" } }),
  );
  assertEquals(del[del.length - 1].result.skipped, 30);
  strictEqual((await statusCounts(db)).scheduled, 30);
});

Deno.test("POST /api/jobs/bulk refuses a bad body with one 400 line and changes nothing", async () => {
  await using db = await tempDb();
  await scheduled(db, 5);
  await using web = await startWeb(db);
  const cases: [unknown, RegExp][] = [
    ["not json", /must be JSON/],
    [[1], /must be an object/],
    [{ action: "explode", ids: ["a"] }, /action must be one of cancel, delete, retry, release/],
    [{ action: "cancel" }, /takes ids or a selector, exactly one/],
    [{ action: "cancel", ids: ["a"], selector: { all: true } }, /exactly one/],
    [{ action: "cancel", ids: [] }, /ids must be a list of 1 to 10000/],
    [{ action: "cancel", ids: [7] }, /ids must be strings/],
    [{ action: "cancel", selector: {} }, /empty selector would select every job/],
    [{ action: "cancel", selector: { state: "asleep" } }, /selector.state must be one of/],
    [{ action: "cancel", selector: { label: "nolabel" } }, /label must be key=value/],
    [{ action: "cancel", selector: { all: true, state: "scheduled" } }, /leave out state/],
    [{ action: "cancel", selector: { colour: "red" } }, /unknown selector field "colour"/],
    [{ action: "cancel", ids: ["a"], extra: 1 }, /unknown bulk request field "extra"/],
  ];
  for (const [body, want] of cases) {
    const error = await errorOf(await post(web, "/api/jobs/bulk", body), 400);
    match(error, want, JSON.stringify(body));
    ok(!error.includes("\n"));
  }
  const wrongType = await post(web, "/api/jobs/bulk", "{}", { "Content-Type": "text/plain" });
  strictEqual(wrongType.status, 415);
  await wrongType.body?.cancel();
  strictEqual((await statusCounts(db)).scheduled, 5, "nothing was written");
});

Deno.test("worker control answers 403 with how to turn it on unless the server has --allow-worker-control, and /api/status says which", async () => {
  await using db = await tempDb();
  await using web = await startWeb(db);
  for (const [path, body] of ROUTES.slice(1)) {
    match(await errorOf(await post(web, path, body), 403), /--allow-worker-control/);
  }
  strictEqual((await (await fetch(web.url + "/api/status")).json()).worker_control, false);
  assertEquals(JSON.parse(await cliOk(db, ["worker", "list", "--json"])), []);
});

Deno.test("with --allow-worker-control, the API starts workers on this host and stops one or all; bad counts are a 400", async () => {
  await using db = await tempDb();
  await using web = await startWeb(db, ["--allow-worker-control"]);
  try {
    strictEqual((await (await fetch(web.url + "/api/status")).json()).worker_control, true);
    const bad: [unknown, RegExp][] = [
      [{ count: 0 }, /count must be an integer from 1 to 64, got 0/],
      [{ count: 65 }, /count must be an integer from 1 to 64, got 65/],
      [{ count: 1.5 }, /count must be an integer from 1 to 64/],
      [{ count: "2" }, /count must be an integer from 1 to 64/],
      [{}, /count must be an integer/],
      [{ count: 2, processes: 3 }, /processes must be an integer from 1 to 2/],
      [{ count: 2, slots: 3 }, /unknown field "slots"/],
      ["[", /must be JSON/],
    ];
    for (const [body, want] of bad) {
      match(await errorOf(await post(web, "/api/workers/start", body), 400), want);
    }
    for (const body of [{}, { all: false }, { id: 5 }, { id: "a", all: true }]) {
      match(await errorOf(await post(web, "/api/workers/stop", body), 400), /must be/);
    }
    assertEquals(JSON.parse(await cliOk(db, ["worker", "list", "--json"])), []);

    const res = await post(web, "/api/workers/start", { count: 2, processes: 2 });
    const started = await res.json();
    strictEqual(res.status, 201, JSON.stringify(started));
    assertEquals([started.count, started.processes], [2, 2]);
    const listed: Json[] = JSON.parse(await cliOk(db, ["worker", "list", "--json"]));
    strictEqual(listed.length, 2);

    match(
      await errorOf(await post(web, "/api/workers/stop", { id: "nobody" }), 404),
      /not registered/,
    );
    const one = await post(web, "/api/workers/stop", { id: listed[0].id });
    assertEquals(await one.json(), { stopping: 1 });
    await waitFor(async () => {
      const ids = JSON.parse(await cliOk(db, ["worker", "list", "--json"])).map((w: Json) => w.id);
      return ids.length === 1 && ids[0] === listed[1].id;
    }, { timeoutMs: 20_000, what: "the one worker to stop and the other to stay" });

    const all = await post(web, "/api/workers/stop", { all: true });
    assertEquals(await all.json(), { stopping: 1 });
    await waitFor(
      async () => JSON.parse(await cliOk(db, ["worker", "list", "--json"])).length === 0,
      { timeoutMs: 20_000, what: "every worker to stop" },
    );
  } finally {
    await cliOk(db, ["worker", "stop"]).catch(() => {});
  }
});

Deno.test("the bulk and worker routes refuse a missing or foreign Origin, a foreign Host, and a missing token, before reading the body", async () => {
  await using db = await tempDb();
  await scheduled(db, 3);
  await using web = await startWeb(db, ["--allow-worker-control"]);
  for (const [path, body] of ROUTES) {
    match(await errorOf(await post(web, path, body, { Origin: "" }), 403), /^refused: /, path);
    const foreign = await post(web, path, body, { Origin: "http://evil.example" });
    match(await errorOf(foreign, 403), /^refused: Origin/, path);
    const sameHostOtherPort = new URL(web.url);
    sameHostOtherPort.port = String(Number(sameHostOtherPort.port) + 1);
    const otherPort = await post(web, path, body, { Origin: sameHostOtherPort.origin });
    strictEqual(otherPort.status, 403, path);
    await otherPort.body?.cancel();
    strictEqual(await rawStatus(web, path, "evil.example"), 403, path);
    // A cross-site form post (what a CSRF page can send without CORS) is refused the same way.
    const form = await fetch(web.url + path, {
      method: "POST",
      headers: { "Content-Type": "text/plain", Origin: "https://attacker.example" },
      body: JSON.stringify(body),
    });
    strictEqual(form.status, 403, path);
    await form.body?.cancel();
  }
  strictEqual((await statusCounts(db)).scheduled, 3, "no refused request changed a job");
  assertEquals(JSON.parse(await cliOk(db, ["worker", "list", "--json"])), []);

  await using locked = await startWeb(db, ["--allow-worker-control", "--token", TOKEN]);
  for (const [path, body] of ROUTES) {
    const res = await post(locked, path, body);
    strictEqual(res.status, 401, path);
    await res.body?.cancel();
    const wrong = await post(locked, path, body, { Authorization: "Bearer wrong-token-wrong" });
    strictEqual(wrong.status, 401, path);
    await wrong.body?.cancel();
  }
  // The bearer token lets a script in (no Origin needed, as for every write).
  const ok = await fetch(locked.url + "/api/jobs/bulk", {
    method: "POST",
    headers: { "Content-Type": "application/json", Authorization: `Bearer ${TOKEN}` },
    body: JSON.stringify({ action: "cancel", selector: { state: "scheduled" } }),
  });
  const done = await lines(ok);
  strictEqual(done[done.length - 1].result.changed, 3);
});
