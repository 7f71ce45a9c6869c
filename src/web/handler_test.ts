import { deepStrictEqual as assertEquals, match } from "node:assert/strict";
import { errorOf, post, webFixture } from "../../tests/web_fixture.ts";
import { countJobs } from "../store/mod.ts";

const TOKEN = "s3cret-token-0123456789";

/** `template` with a body that sends a few bytes and then fails, as a vanished client's does. */
function breakingOff(template: Request): Request {
  let sent = false;
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (sent) controller.error(new Deno.errors.BadResource("underlying resource unavailable"));
      else controller.enqueue(new TextEncoder().encode('{"command":'));
      sent = true;
    },
  });
  const init = { method: "POST", headers: template.headers, body, duplex: "half" };
  return new Request(template.url, init as RequestInit);
}

Deno.test("a request body that breaks off is a one-line 400 and logs no stack trace", async () => {
  await using web = await webFixture({ token: TOKEN });
  const api = post("/api/jobs", { command: "true" }, {
    headers: { Authorization: `Bearer ${TOKEN}` },
  });
  match(await errorOf(await web.handle(breakingOff(api)), 400), /^the request body was cut off/);
  const form = post("/login", "token=x", {
    headers: { "Content-Type": "application/x-www-form-urlencoded" },
  });
  const res = await web.handle(breakingOff(form));
  assertEquals(res.status, 400);
  match(await res.text(), /^the request body was cut off before its end\n$/);
  assertEquals(web.logs, []);
  assertEquals((await countJobs(web.store)).pending, 0);
});
