import { deepStrictEqual as assertEquals, match, strictEqual } from "node:assert/strict";
import { enqueue, enqueueAndClaim, spec } from "../../tests/factory.ts";
import { errorOf, get, post, webFixture } from "../../tests/web_fixture.ts";
import { writeOutputChunk } from "../store/output.ts";
import { outputFileName } from "./api_output.ts";

const TOKEN = "s3cret-token-0123456789";
const bytes = (s: string) => new TextEncoder().encode(s);

Deno.test("GET /api/jobs/:id/output downloads an attempt's raw bytes as an attachment, escapes and \\r included", async () => {
  await using web = await webFixture();
  await enqueueAndClaim(web.store, spec({ id: "a" }));
  const raw = "\x1b[31mred\x1b[0m 50%\r100%\n<img src=x>";
  await writeOutputChunk(web.store, { id: "a", n: 1, stream: "stdout", chunk: 0 }, bytes(raw));
  await writeOutputChunk(web.store, { id: "a", n: 1, stream: "stdout", chunk: 1 }, bytes("!"));
  await writeOutputChunk(web.store, { id: "a", n: 1, stream: "stderr", chunk: 0 }, bytes("e"));
  const res = await web.handle(get("/api/jobs/a/output"));
  strictEqual(res.status, 200);
  strictEqual(res.headers.get("content-type"), "application/octet-stream");
  strictEqual(res.headers.get("content-disposition"), 'attachment; filename="a-1.stdout.log"');
  strictEqual(res.headers.get("x-content-type-options"), "nosniff");
  strictEqual(await res.text(), raw + "!");
  const err = await web.handle(get("/api/jobs/a/output?stream=stderr&attempt=1"));
  strictEqual(err.headers.get("content-disposition"), 'attachment; filename="a-1.stderr.log"');
  strictEqual(await err.text(), "e");
});

Deno.test("GET /api/jobs/:id/output refuses bad input with one line: unknown job or attempt, bad stream, extra parameters", async () => {
  await using web = await webFixture();
  await enqueueAndClaim(web.store, spec({ id: "a" }));
  await enqueue(web.store, spec({ id: "never" }));
  const cases: [string, number, RegExp][] = [
    ["/api/jobs/zz/output", 404, /job "zz" not found/],
    ["/api/jobs/never/output", 404, /has 0 attempt\(s\), not 0/],
    ["/api/jobs/a/output?attempt=2", 404, /has 1 attempt\(s\), not 2/],
    [
      "/api/jobs/a/output?stream=both",
      400,
      /stream must be stdout or stderr or merged, got "both"/,
    ],
    ["/api/jobs/a/output?attempt=x", 400, /attempt/],
    ["/api/jobs/a/output?offset=3", 400, /offset/],
  ];
  for (const [path, status, message] of cases) {
    match(await errorOf(await web.handle(get(path)), status), message, path);
  }
  const wrong = await web.handle(post("/api/jobs/a/output"));
  strictEqual(wrong.status, 405);
  strictEqual(wrong.headers.get("allow"), "GET");
  assertEquals(web.logs, []);
});

Deno.test("the output download passes the same gate as every route: token, Host, and no CORS for another Origin", async () => {
  await using web = await webFixture({ token: TOKEN });
  await enqueueAndClaim(web.store, spec({ id: "a" }));
  await writeOutputChunk(web.store, { id: "a", n: 1, stream: "stdout", chunk: 0 }, bytes("x"));
  const path = "/api/jobs/a/output";
  match(await errorOf(await web.handle(get(path)), 401), /authentication required/);
  strictEqual((await web.handle(get(path, { Authorization: "Bearer nope" }))).status, 401);
  const cookie = { Cookie: "queuectl_session=" + "0".repeat(64) };
  strictEqual((await web.handle(get(path, cookie))).status, 401);
  const auth = { Authorization: `Bearer ${TOKEN}` };
  const res = await web.handle(get(path, auth));
  strictEqual(res.status, 200);
  strictEqual(await res.text(), "x");
  for (const host of ["evil.example:8080", "127.0.0.1:9999"]) {
    const rebound = await web.handle(get(path, { ...auth, Host: host }));
    match(await errorOf(rebound, 403), /Host header .* does not name this server/, host);
  }
  // A page of another site may send the GET (with no cookie: it is SameSite=Strict), but it
  // gets no CORS header, so it cannot read the bytes.
  const cross = await web.handle(get(path, { ...auth, Origin: "http://evil.example" }));
  strictEqual(cross.headers.get("access-control-allow-origin"), null);
  await cross.body?.cancel();
});

Deno.test("a download's file name keeps only safe characters of the id", () => {
  strictEqual(outputFileName("a1b2", 2, "stderr"), "a1b2-2.stderr.log");
  strictEqual(outputFileName('a"b\r\n/c', 1, "stdout"), "a_b___c-1.stdout.log");
});
