import { match, ok, strictEqual } from "node:assert/strict";
import { assertOneLineError, cli, tempDb, waitFor } from "./helpers.ts";
import { RawClient, within } from "./raw_http.ts";
import { startWeb } from "./web_server.ts";

const TOKEN = "web-cli-test-token-0123";

Deno.test("queuectl web refuses a bad host, port or token with one line and exit 2", async () => {
  await using db = await tempDb();
  const cases: [string[], RegExp][] = [
    [["--port", "99999"], /--port must be an integer from 0 to 65535/],
    [["--port", "http"], /--port must be an integer/],
    [["--host", "bad host!"], /--host must be an IP address or host name/],
    [["--host", "300.1.1.1"], /--host must be an IP address/],
    [["--host", "0.0.0.0"], /not loopback: .* set --token or QUEUECTL_WEB_TOKEN/],
    [["--token", "short"], /token must be at least 16 characters/],
    [["--allow-host", "queue.example.com"], /--allow-host .* set --token/],
    [["--allow-host", "a b", "--token", TOKEN], /--allow-host must be a host\[:port\]/],
    [["--host", "192.0.2.1", "--token", TOKEN, "--port", "0"], /cannot listen on 192\.0\.2\.1/],
    [["--header-timeout", "0"], /--header-timeout must be a duration from 100ms to 1h/],
    [["--body-timeout", "forever"], /--body-timeout must be a duration/],
    [["--max-client-connections", "0"], /--max-client-connections must be an integer from 1/],
  ];
  for (const [args, pattern] of cases) {
    assertOneLineError(await cli(db, ["web", ...args]), 2, pattern, args.join(" "));
  }
});

Deno.test("queuectl web prints its URL, serves the API, and stops cleanly on Ctrl+C", async () => {
  await using db = await tempDb();
  const web = await startWeb(db);
  match(web.url, /^http:\/\/127\.0\.0\.1:\d+$/);
  const res = await fetch(web.url + "/api/status");
  strictEqual(res.status, 200);
  strictEqual((await res.json()).counts.pending, 0);
  const page = await fetch(web.url + "/");
  ok((await page.text()).includes("/assets/app.js"));
  strictEqual(await web.stop(), 0);
  match(web.output(), /queuectl web: stopped/);
  ok(!/error|Uncaught/i.test(web.output()), web.output());
});

Deno.test("queuectl web on a taken port fails with exit 1", async () => {
  await using db = await tempDb();
  await using web = await startWeb(db);
  const port = new URL(web.url).port;
  assertOneLineError(await cli(db, ["web", "--port", port]), 1, /address in use/);
});

Deno.test("queuectl web on a wildcard host requires the token from QUEUECTL_WEB_TOKEN", async () => {
  await using db = await tempDb();
  await using web = await startWeb(db, ["--host", "0.0.0.0"], {
    env: { QUEUECTL_WEB_TOKEN: TOKEN },
  });
  const port = new URL(web.url).port;
  const local = `http://127.0.0.1:${port}/api/status`;
  strictEqual((await fetch(local)).status, 401);
  const authed = await fetch(local, { headers: { Authorization: `Bearer ${TOKEN}` } });
  strictEqual(authed.status, 200);
  await authed.body?.cancel();
  strictEqual(await web.stop(), 0);
});

Deno.test("queuectl web closes a half-sent request after --header-timeout and refuses a Host list", async () => {
  await using db = await tempDb();
  await using web = await startWeb(db, ["--header-timeout", "300ms"]);
  const port = Number(new URL(web.url).port);
  using half = await RawClient.open(port);
  await half.send(`GET /api/status HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n`);
  strictEqual(await within(half.closed(), 10_000, "the half-sent request to be closed"), "");
  using list = await RawClient.open(port);
  await list.send(
    `GET /api/status HTTP/1.1\r\nHost: 127.0.0.1:${port},evil\r\nConnection: close\r\n\r\n`,
  );
  match(
    await within(list.closed(), 10_000, "the answer"),
    /^HTTP\/1\.1 400 [^]*\r\n\r\n\{"error":"bad Host header \\"127\.0\.0\.1:\d+,evil\\": expected one host\[:port\]"\}$/,
  );
  const res = await fetch(web.url + "/api/status");
  strictEqual(res.status, 200);
  await res.body?.cancel();
  strictEqual(await web.stop(), 0);
  ok(!/error|Uncaught|at \S+:\d+/i.test(web.output()), web.output());
});

Deno.test("queuectl web holds at most 32 of 200 slow connections from one address and serves the owner", async () => {
  await using db = await tempDb();
  await using web = await startWeb(db);
  const port = Number(new URL(web.url).port);
  const slow: RawClient[] = [];
  try {
    for (let i = 0; i < 200; i++) {
      const c = await RawClient.open(port);
      slow.push(c);
      c.closed();
      await c.send(`GET /api/status HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n`);
    }
    await waitFor(() => slow.filter((c) => !c.isClosed).length <= 32, {
      timeoutMs: 5000,
      what: "the server to close all but 32 of the slow connections",
    });
    const res = await fetch(web.url + "/api/status");
    strictEqual(res.status, 200);
    await res.body?.cancel();
  } finally {
    for (const c of slow) c[Symbol.dispose]();
  }
  strictEqual(await web.stop(), 0);
});
