import { deepStrictEqual as assertEquals, match, ok, strictEqual } from "node:assert/strict";
import { waitFor } from "../../tests/helpers.ts";
import { gatedWeb, RawClient, within } from "../../tests/raw_http.ts";
import { countJobs } from "../store/mod.ts";

const get = (path: string, host: string, extra = "") =>
  `GET ${path} HTTP/1.1\r\nHost: ${host}\r\n${extra}\r\n`;
const getAndClose = (path: string, host: string) => get(path, host, "Connection: close\r\n");

Deno.test("the gate closes a connection whose head is not complete within the header timeout", async () => {
  await using web = await gatedWeb({ headerTimeoutMs: 300 });
  using partial = await RawClient.open(web.port);
  using silent = await RawClient.open(web.port);
  const started = Date.now();
  await partial.send(`GET /api/status HTTP/1.1\r\nHost: 127.0.0.1:${web.port}\r\n`);
  strictEqual(await within(partial.closed(), 5000, "a half-sent head to be closed"), "");
  strictEqual(await within(silent.closed(), 5000, "a silent connection to be closed"), "");
  ok(Date.now() - started >= 250, "not before the timeout");
  const res = await fetch(web.url + "/api/status");
  strictEqual(res.status, 200, "the server still serves");
  await res.body?.cancel();
});

Deno.test("the gate closes a request whose body stalls, and the cut-off body logs no stack trace", async () => {
  await using web = await gatedWeb({ bodyTimeoutMs: 300 });
  using client = await RawClient.open(web.port);
  await client.send(
    `POST /api/jobs HTTP/1.1\r\nHost: 127.0.0.1:${web.port}\r\nOrigin: ${web.url}\r\n` +
      `Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{"command":`,
  );
  await within(client.closed(), 5000, "a stalled body to be closed");
  await waitFor(() => web.answered() === 1, { timeoutMs: 5000, what: "the handler to finish" });
  assertEquals(web.logs, []);
  strictEqual((await countJobs(web.store)).pending, 0);
});

Deno.test("the gate closes a connection that does not read its response", async () => {
  // More than the socket buffers hold, so the write stalls; and a header timeout far beyond the
  // wait below, so only the stalled write can have closed the connection.
  const big = new Uint8Array(32 * 1024 * 1024);
  await using web = await gatedWeb({ bodyTimeoutMs: 300, headerTimeoutMs: 60_000 }, {
    handler: () => new Response(big),
  });
  using client = await RawClient.open(web.port);
  await client.send(get("/big", "x"));
  await waitFor(() => web.answered() === 1 && web.open() === 0, {
    timeoutMs: 10_000,
    what: "the gate to close the connection",
  });
  const received = await within(client.closed(), 5000, "the rest of what was sent");
  ok(received.length < big.length, `got ${received.length} of ${big.length} bytes`);
});

Deno.test("the gate answers pipelined and keep-alive requests on one connection", async () => {
  await using web = await gatedWeb({ headerTimeoutMs: 2000 });
  using client = await RawClient.open(web.port);
  const host = `127.0.0.1:${web.port}`;
  const body = '{"command":"true"}';
  await client.send(
    get("/api/status", host) + "\r\n" +
      `POST /api/jobs HTTP/1.1\r\nHost: ${host}\r\nOrigin: ${web.url}\r\n` +
      `Content-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}` +
      get("/api/status", host, "X-Queuectl-Gate: forged\r\n"),
  );
  await waitFor(() => web.answered() === 3, { timeoutMs: 5000, what: "three answers" });
  await client.send(get("/api/status", host, "Connection: close\r\n"));
  const text = await within(client.closed(), 5000, "the server to close after Connection: close");
  assertEquals(text.match(/HTTP\/1\.1 \d+/g), [
    "HTTP/1.1 200",
    "HTTP/1.1 201",
    "HTTP/1.1 200",
    "HTTP/1.1 200",
  ]);
  strictEqual((await countJobs(web.store)).pending, 1);
});

Deno.test("the gate puts a request sent a byte at a time back together", async () => {
  await using web = await gatedWeb();
  using client = await RawClient.open(web.port);
  client.conn.setNoDelay(true);
  const body = '{"command":"echo pieces"}';
  const request = `POST /api/jobs HTTP/1.1\r\nHost: 127.0.0.1:${web.port}\r\n` +
    `Origin: ${web.url}\r\nContent-Type: application/json\r\nConnection: close\r\n` +
    `Content-Length: ${body.length}\r\n\r\n${body}`;
  for (const ch of request) await client.send(ch);
  match(await within(client.closed(), 5000, "the answer"), /^HTTP\/1\.1 201 /);
  strictEqual((await countJobs(web.store)).pending, 1);
});

Deno.test("through the gate, a Host list and framing it cannot trust are one-line 4xx answers", async () => {
  await using web = await gatedWeb();
  const host = `127.0.0.1:${web.port}`;
  const cases: [string, RegExp][] = [
    [
      getAndClose("/api/status", `${host},evil`),
      /^HTTP\/1\.1 400[^]*\r\n\r\n\{"error":"bad Host header /,
    ],
    [
      getAndClose("/", `${host},evil`),
      /^HTTP\/1\.1 400[^]*\r\n\r\nbad Host header "[^"]+": expected one/,
    ],
    [
      `POST /api/jobs HTTP/1.1\r\nHost: ${host}\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n`,
      /^HTTP\/1\.1 411 [^]*\r\n\r\nsend the body with Content-Length, not Transfer-Encoding\n$/,
    ],
    [
      `POST /api/jobs HTTP/1.1\r\nHost: ${host}\r\nContent-Length: 1\r\nContent-Length: 1\r\n\r\nx`,
      /^HTTP\/1\.1 400 [^]*\r\n\r\nmore than one Content-Length\n$/,
    ],
    [`GET / HTTP/1.1\nHost: ${host}\r\n\r\n`, /^HTTP\/1\.1 400 [^]*a line ends without CRLF\n$/],
    [`PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n`, /^HTTP\/1\.1 400 [^]*bad request line/],
    [get("/", host, `Cookie: ${"a".repeat(40_000)}\r\n`), /^HTTP\/1\.1 431 [^]*larger than/],
  ];
  for (const [request, pattern] of cases) {
    using client = await RawClient.open(web.port);
    await client.send(request);
    match(await within(client.closed(), 5000, request.slice(0, 40)), pattern, request.slice(0, 60));
  }
  assertEquals(web.logs, []);
});

Deno.test("the handler learns the client's address through the gate", async () => {
  await using web = await gatedWeb({}, {
    handler: (_req, client) => new Response(client.address),
  });
  strictEqual(await (await fetch(web.url + "/")).text(), "127.0.0.1");
});

Deno.test("200 slow clients from one address cannot hold the server; the owner is served at once", async () => {
  // The default 10 s header timeout: the owner is served because slow connections at the cap
  // make room, not because they timed out.
  await using web = await gatedWeb({ maxPerClient: 32 });
  const slow: RawClient[] = [];
  try {
    for (let i = 0; i < 200; i++) {
      const c = await RawClient.open(web.port);
      slow.push(c);
      c.closed();
      await c.send(`GET /api/status HTTP/1.1\r\nHost: 127.0.0.1:${web.port}\r\n`);
    }
    await waitFor(() => slow.filter((c) => !c.isClosed).length <= 32, {
      timeoutMs: 5000,
      what: "all but 32 slow connections to be closed",
    });
    const started = Date.now();
    const res = await fetch(web.url + "/api/status");
    strictEqual(res.status, 200);
    await res.body?.cancel();
    ok(Date.now() - started < 2000, `served in ${Date.now() - started} ms`);
  } finally {
    for (const c of slow) c[Symbol.dispose]();
  }
});

Deno.test("when every connection a client may have is being answered, another gets a one-line 503", async () => {
  let release = () => {};
  const held = new Promise<void>((r) => (release = r));
  let started = false;
  await using web = await gatedWeb({ maxPerClient: 1 }, {
    handler: async () => {
      started = true;
      await held;
      return new Response("done");
    },
  });
  using busy = await RawClient.open(web.port);
  await busy.send(get("/", "x"));
  const answer = busy.closed();
  await waitFor(() => started, { timeoutMs: 5000, what: "the handler to start" });
  await waitFor(async () => {
    using extra = await RawClient.open(web.port);
    const text = await within(extra.closed(), 5000, "a refusal");
    return /^HTTP\/1\.1 503 [^]*too many connections from 127\.0\.0\.1; try again later\n$/.test(
      text,
    );
  }, { timeoutMs: 5000, what: "a 503 while the only connection is busy" });
  release();
  busy.conn.closeWrite();
  match(await within(answer, 5000, "the busy request's answer"), /^HTTP\/1\.1 200[^]*done$/);
});
