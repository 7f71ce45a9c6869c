import { deepStrictEqual as assertEquals, match, ok, strictEqual } from "node:assert/strict";
import { counters, enqueue, spec } from "../../tests/factory.ts";
import { BASE, errorOf, get, jsonOf, post, webFixture } from "../../tests/web_fixture.ts";
import { ASSETS, INDEX_HTML } from "./assets/mod.ts";
import { createHandler } from "./handler.ts";
import { Logger } from "../log.ts";
import { isLoopback, sameSecret, sessionValue } from "./security.ts";
import { tempStore } from "../../tests/factory.ts";

const TOKEN = "s3cret-token-0123456789";

Deno.test("a Host header that does not name this server is refused (DNS rebinding)", async () => {
  await using web = await webFixture();
  for (const host of ["evil.example:8080", "127.0.0.1:9999", "127.0.0.1", ""]) {
    const res = await web.handle(get("/api/status", { Host: host }));
    match(await errorOf(res, 403), /Host header .* does not name this server/, host);
  }
  const page = await web.handle(get("/", { Host: "rebind.attacker.test:8080" }));
  strictEqual(page.status, 403);
  for (const host of ["127.0.0.1:8080", "localhost:8080", "LOCALHOST:8080", "[::1]:8080"]) {
    strictEqual((await web.handle(get("/api/status", { Host: host }))).status, 200, host);
  }
});

Deno.test("a Host header that is a list or not a host[:port] is a one-line 400, not a 500", async () => {
  await using web = await webFixture();
  const hosts = [
    "127.0.0.1:8080,evil",
    "127.0.0.1:8080, 127.0.0.1:8080",
    "a b",
    "127.0.0.1:8080/x",
    "127.0.0.1:99999",
    "[:::]:8080",
  ];
  for (const host of hosts) {
    const res = await web.handle(get("/api/status", { Host: host }));
    match(await errorOf(res, 400), /^bad Host header ".*": expected one host\[:port\]$/, host);
    const page = await web.handle(get("/", { Host: host }));
    strictEqual(page.status, 400, host);
    match(await page.text(), /^bad Host header .*\n$/);
  }
  assertEquals(web.logs, []);
});

Deno.test("an Origin must be this server's exactly: scheme, host and port, no user or path", async () => {
  await using web = await webFixture();
  const refused = [
    "http://evil@127.0.0.1:8080",
    "http://127.0.0.1:8080@evil.example",
    "https://127.0.0.1:8080",
    "ftp://127.0.0.1:8080",
    "ws://127.0.0.1:8080",
    "http://127.0.0.1:8080/",
    "http://127.0.0.1:8080/x",
    "http://127.0.0.1:08080",
    "http://127.0.0.1",
    "HTTP://127.0.0.1:8080 ",
  ];
  for (const origin of refused) {
    const res = await web.handle(
      post("/api/jobs", { command: "true" }, { headers: { Origin: origin } }),
    );
    match(await errorOf(res, 403), /^refused: Origin .* is not this server/, origin);
  }
  strictEqual((await web.handle(post("/api/jobs", { command: "true" }))).status, 201);
  await using store = await tempStore();
  const proxied = createHandler(store, {
    host: "127.0.0.1",
    port: 8080,
    token: TOKEN,
    publicHosts: ["queue.example.com", "queue.example.com:8443"],
  });
  const session = `queuectl_session=${await sessionValue(TOKEN)}`;
  const via = (host: string, origin: string) =>
    post("/api/jobs", { command: "true" }, {
      headers: { Host: host, Origin: origin, Cookie: session },
    });
  const cases: [string, string, number][] = [
    ["queue.example.com", "https://queue.example.com", 201],
    ["queue.example.com:8443", "https://queue.example.com:8443", 201],
    ["queue.example.com", "http://queue.example.com", 403], // a public name is behind TLS
    ["queue.example.com", "https://x@queue.example.com", 403],
    ["queue.example.com:8443", "https://queue.example.com", 403],
  ];
  for (const [host, origin, status] of cases) {
    const res = await proxied(via(host, origin));
    strictEqual(res.status, status, `${host} ${origin}`);
    await res.body?.cancel();
  }
});

Deno.test("a mutating request from another Origin, or with none, is refused and writes nothing", async () => {
  await using web = await webFixture();
  await enqueue(web.store, spec({ id: "a" }));
  const before = await counters(web.store);
  const refused: Record<string, string>[] = [
    { Origin: "http://evil.example" },
    { Origin: "http://127.0.0.1:9999" },
    { Origin: "http://localhost:8080" }, // same server, another origin than the page's Host
    { Origin: "null" },
    { Origin: "" },
    { Origin: BASE, "Sec-Fetch-Site": "cross-site" },
    { Origin: BASE, "Sec-Fetch-Site": "same-site" },
  ];
  for (const headers of refused) {
    for (const path of ["/api/jobs", "/api/jobs/a/cancel", "/api/dlq/purge"]) {
      const res = await web.handle(post(path, { command: "id" }, { headers }));
      match(await errorOf(res, 403), /^refused: /, JSON.stringify(headers) + path);
    }
    const del = await web.handle(post("/api/jobs/a", undefined, { method: "DELETE", headers }));
    strictEqual(del.status, 403);
  }
  assertEquals(await counters(web.store), before);
  strictEqual((await web.handle(post("/api/jobs", { command: "true" }))).status, 201);
});

Deno.test("with a token, the API needs it as a bearer token; pages send the browser to log in", async () => {
  await using web = await webFixture({ token: TOKEN });
  const none = await web.handle(get("/api/status"));
  match(await errorOf(none, 401), /authentication required/);
  strictEqual(none.headers.get("www-authenticate"), 'Bearer realm="queuectl"');
  const wrong = await web.handle(get("/api/status", { Authorization: "Bearer nope" }));
  strictEqual(wrong.status, 401);
  strictEqual((await web.handle(get("/metrics"))).status, 401);
  const ok200 = await web.handle(get("/api/status", { Authorization: `Bearer ${TOKEN}` }));
  strictEqual((await jsonOf<{ auth_required: boolean }>(ok200, 200)).auth_required, true);
  const page = await web.handle(get("/"));
  assertEquals([page.status, page.headers.get("location")], [303, "/login"]);
  strictEqual((await web.handle(get("/assets/app.js"))).status, 200, "static files are public");
  strictEqual((await web.handle(get("/login"))).status, 200);
  const noOrigin = post("/api/jobs", { command: "true" }, {
    headers: { Origin: "", Authorization: `Bearer ${TOKEN}` },
  });
  strictEqual((await web.handle(noOrigin)).status, 201, "a script with the token needs no Origin");
  const wrongPost = post("/api/jobs", { command: "true" }, {
    headers: { Authorization: "Bearer x" },
  });
  strictEqual((await web.handle(wrongPost)).status, 401);
});

Deno.test("the login form sets an HttpOnly SameSite=Strict cookie that lets the page in", async () => {
  await using web = await webFixture({ token: TOKEN });
  const form = (token: string, headers: Record<string, string> = {}) =>
    post("/login", `token=${encodeURIComponent(token)}`, {
      headers: { "Content-Type": "application/x-www-form-urlencoded", ...headers },
    });
  const bad = await web.handle(form("wrong"));
  strictEqual(bad.status, 401);
  ok((await bad.text()).includes("wrong token"));
  strictEqual(bad.headers.get("set-cookie"), null);
  strictEqual((await web.handle(form(TOKEN, { Origin: "http://evil.example" }))).status, 403);
  const good = await web.handle(form(TOKEN));
  strictEqual(good.status, 303);
  const cookie = good.headers.get("set-cookie")!;
  match(cookie, /^queuectl_session=[0-9a-f]{64}; Path=\/; HttpOnly; SameSite=Strict/);
  ok(!cookie.includes(TOKEN), "the cookie proves the token without holding it");
  const session = cookie.split(";")[0]!;
  strictEqual((await web.handle(get("/api/status", { Cookie: session }))).status, 200);
  strictEqual((await web.handle(get("/", { Cookie: session }))).status, 200);
  const posted = post("/api/jobs", { command: "true" }, { headers: { Cookie: session } });
  strictEqual((await web.handle(posted)).status, 201);
  const forged = post("/api/jobs", { command: "true" }, {
    headers: { Cookie: session, Origin: "" },
  });
  strictEqual(
    (await web.handle(forged)).status,
    403,
    "a cookie alone never excuses a missing Origin",
  );
  const other = get("/api/status", { Cookie: "queuectl_session=" + "0".repeat(64) });
  strictEqual((await web.handle(other)).status, 401);
  const out = await web.handle(post("/logout", undefined, { headers: { Cookie: session } }));
  match(out.headers.get("set-cookie")!, /queuectl_session=; .*Max-Age=0/);
});

Deno.test("every response carries a strict CSP and nosniff, and no CORS header", async () => {
  await using web = await webFixture();
  const requests = [
    get("/"),
    get("/assets/core.js"),
    get("/api/status"),
    get("/api/jobs/none"),
    get("/metrics"),
    get("/nope"),
    get("/api/status", { Host: "evil:8080" }),
    post("/api/jobs", { command: "true" }, { headers: { Origin: "http://evil.example" } }),
    new Request(BASE + "/api/jobs", {
      method: "OPTIONS",
      headers: {
        Host: "127.0.0.1:8080",
        Origin: "http://evil.example",
        "Access-Control-Request-Method": "POST",
      },
    }),
  ];
  for (const req of requests) {
    const res = await web.handle(req);
    const csp = res.headers.get("content-security-policy") ?? "";
    for (const part of ["default-src 'self'", "script-src 'self'", "frame-ancestors 'none'"]) {
      ok(csp.includes(part), `${req.method} ${req.url}: CSP lacks ${part}`);
    }
    ok(!csp.includes("unsafe-inline") && !csp.includes("unsafe-eval"), csp);
    strictEqual(res.headers.get("x-content-type-options"), "nosniff");
    const cors = [...res.headers.keys()].filter((k) => k.startsWith("access-control-"));
    assertEquals(cors, [], `${req.method} ${req.url}`);
    await res.body?.cancel();
  }
});

Deno.test("the page has no inline script and its scripts never write HTML", async () => {
  ok(!/<script(?![^>]*\bsrc=)[^>]*>/.test(INDEX_HTML), "no inline <script> in the shell");
  ok(!/\son[a-z]+=/.test(INDEX_HTML), "no inline event handlers");
  // The scan below reads what is served; every script file must be among it, or one that a view
  // imports would go unscanned (and 404 in the browser).
  for await (const file of Deno.readDir(new URL("./assets/", import.meta.url))) {
    if (file.name.endsWith(".js")) ok(Object.hasOwn(ASSETS, file.name), `${file.name} not served`);
  }
  for (const [name, asset] of Object.entries(ASSETS)) {
    for (
      const sink of ["innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval("]
    ) {
      ok(!asset.body.includes(sink), `${name} uses ${sink}`);
    }
  }
});

Deno.test("unknown routes are 404, wrong methods 405 with Allow, unknown assets 404", async () => {
  await using web = await webFixture();
  match(await errorOf(await web.handle(get("/api/nope")), 404), /no route GET \/api\/nope/);
  const res = await web.handle(post("/api/status"));
  match(await errorOf(res, 405), /POST is not allowed/);
  strictEqual(res.headers.get("allow"), "GET");
  strictEqual((await web.handle(get("/assets/secret.txt"))).status, 404);
  strictEqual((await web.handle(get("/assets/constructor"))).status, 404);
});

Deno.test("an unexpected error answers 500 with one fixed line and logs the details", async () => {
  await using web = await webFixture();
  const logs: string[] = [];
  const broken = {
    ...web.store,
    db: {
      get: () => Promise.reject(new TypeError("boom\n    at secret (file:///x.ts:1:1)")),
    },
  } as unknown as typeof web.store;
  const handle = createHandler(broken, {
    host: "127.0.0.1",
    port: 8080,
    token: null,
    log: new Logger({ write: (l) => logs.push(l) }),
  });
  const res = await handle(get("/api/jobs/a"));
  const error = await errorOf(res, 500);
  strictEqual(error, "internal error (see the server log)");
  ok(logs.some((l) => l.includes("web.request_failed") && l.includes("boom")), logs.join("\n"));
});

Deno.test("HEAD is answered like GET", async () => {
  await using web = await webFixture();
  const res = await web.handle(
    new Request(BASE + "/api/status", {
      method: "HEAD",
      headers: { Host: "127.0.0.1:8080" },
    }),
  );
  strictEqual(res.status, 200);
  await res.body?.cancel();
  await jsonOf(await web.handle(get("/api/status")), 200);
});

Deno.test("secrets compare equal only when equal; loopback is recognised", async () => {
  strictEqual(await sameSecret(TOKEN, TOKEN), true);
  strictEqual(await sameSecret(TOKEN, TOKEN + "x"), false);
  strictEqual(await sameSecret("", TOKEN), false);
  for (const h of ["127.0.0.1", "127.1.2.3", "localhost", "::1", "[::1]"]) ok(isLoopback(h), h);
  for (const h of ["0.0.0.0", "::", "10.0.0.1", "example.com", "128.0.0.1"]) ok(!isLoopback(h), h);
});

Deno.test("a public host name passed on by a reverse proxy is accepted only when configured", async () => {
  await using store = await tempStore();
  const handle = createHandler(store, {
    host: "127.0.0.1",
    port: 8080,
    token: TOKEN,
    publicHosts: ["queue.example.com"],
  });
  const auth = { Authorization: `Bearer ${TOKEN}` };
  strictEqual(
    (await handle(get("/api/status", { Host: "queue.example.com", ...auth }))).status,
    200,
  );
  strictEqual(
    (await handle(get("/api/status", { Host: "other.example.com", ...auth }))).status,
    403,
  );
  const session = `queuectl_session=${await sessionValue(TOKEN)}`;
  const proxied = (origin: string) =>
    post("/api/jobs", { command: "true" }, {
      headers: { Host: "queue.example.com", Origin: origin, Cookie: session },
    });
  strictEqual((await handle(proxied("https://queue.example.com"))).status, 201);
  strictEqual((await handle(proxied("https://evil.example.com"))).status, 403);
});
