import { match, strictEqual } from "node:assert/strict";
import { deepStrictEqual as assertEquals } from "node:assert/strict";
import {
  checkInvariants,
  counters,
  enqueue,
  fillToValueLimit,
  rawJob,
  spec,
} from "../../tests/factory.ts";
import { BASE, errorOf, post, webFixture } from "../../tests/web_fixture.ts";

Deno.test("POST /api/jobs refuses the ids . and .. with a 400, since /api/jobs/.. cannot name them", async () => {
  await using web = await webFixture();
  const before = await counters(web.store);
  for (const id of [".", ".."]) {
    const res = await web.handle(post("/api/jobs", { id, command: "true" }));
    match(await errorOf(res, 400), /job id must not be "\." or "\.\."/);
  }
  assertEquals(await counters(web.store), before, "nothing was written");
  await checkInvariants(web.store);
});

Deno.test("POST /api/jobs refuses a body that is not UTF-8 with a 400 naming the byte's offset, and a lone surrogate", async () => {
  await using web = await webFixture();
  const before = await counters(web.store);
  const body = new Uint8Array([
    ...new TextEncoder().encode('{"command":"echo '),
    0xff,
    0xfe,
    0x22,
    0x7d,
  ]);
  const res = await web.handle(
    new Request(`${BASE}/api/jobs`, {
      method: "POST",
      headers: { Host: "127.0.0.1:8080", Origin: BASE, "Content-Type": "application/json" },
      body,
    }),
  );
  match(await errorOf(res, 400), /^the request body is not valid UTF-8: byte 0xff at offset 17$/);
  const lone = await web.handle(post("/api/jobs", '{"command":"echo \\ud800"}'));
  match(await errorOf(lone, 400), /^command must be valid Unicode, got a lone surrogate \\ud800/);
  assertEquals(await counters(web.store), before, "nothing was written");
});

Deno.test("a cancel past the storage's value limit answers 500 with its one line, logs it, and changes nothing", async () => {
  await using web = await webFixture();
  const [job] = await enqueue(web.store, spec({ id: "a1" }));
  const full = await fillToValueLimit(web.store, job!.id);
  const res = await web.handle(post("/api/jobs/a1/cancel"));
  strictEqual(
    await errorOf(res, 500),
    "database limit: Value too large (max 65536 bytes)",
    "the limit's own line, not the fixed line of a bug",
  );
  strictEqual(web.logs.length, 1);
  match(web.logs[0]!, /web\.request_failed .*LimitError: database limit: Value too large/);
  assertEquals((await rawJob(web.store, "a1")).value, full);
  await checkInvariants(web.store);
});

Deno.test("POST /api/jobs with a held unique_key answers 200 with the holder and creates nothing", async () => {
  await using web = await webFixture();
  const body = { command: "true", unique_key: "nightly" };
  const first = await web.handle(post("/api/jobs", body));
  strictEqual(first.status, 201);
  const created = await first.json();
  const again = await web.handle(post("/api/jobs", body));
  strictEqual(again.status, 200);
  strictEqual((await again.json()).id, created.id);
  strictEqual((await counters(web.store)).pending, 1);
  await checkInvariants(web.store);
});
