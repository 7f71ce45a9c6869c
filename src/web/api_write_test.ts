import { match } from "node:assert/strict";
import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { checkInvariants, counters } from "../../tests/factory.ts";
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
