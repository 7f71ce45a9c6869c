import { deepStrictEqual as assertEquals, match, strictEqual } from "node:assert/strict";
import { checkInvariants } from "../../tests/factory.ts";
import { errorOf, get, jsonOf, post, webFixture } from "../../tests/web_fixture.ts";

// deno-lint-ignore no-explicit-any
type Json = any;

Deno.test("POST /api/jobs takes a queue; GET /api/queues shows it as queue list --json does; GET /api/jobs?queue= filters", async () => {
  await using web = await webFixture();
  const made = await jsonOf<Json>(
    await web.handle(post("/api/jobs", { command: "true", queue: "mail" })),
    201,
  );
  strictEqual(made.queue, "mail");
  await jsonOf(await web.handle(post("/api/jobs", { command: "true" })), 201);
  const queues = await jsonOf<Json[]>(await web.handle(get("/api/queues")), 200);
  assertEquals(queues.map((q) => [q.name, q.paused, q.concurrency, q.rate, q.counts.pending]), [
    ["default", false, null, null, 1],
    ["mail", false, null, null, 1],
  ]);
  const page = await jsonOf<Json>(await web.handle(get("/api/jobs?queue=mail")), 200);
  assertEquals(page.jobs.map((j: Json) => j.id), [made.id]);
  match(await errorOf(await web.handle(get("/api/jobs?queue=a%20b")), 400), /queue name must/);
  match(
    await errorOf(await web.handle(post("/api/jobs", { command: "true", queue: ".." })), 400),
    /queue name must/,
  );
  await checkInvariants(web.store);
});

Deno.test("POST /api/queues/NAME/pause and /resume change the queue; an unknown queue is a 400; a cross-site POST is refused", async () => {
  await using web = await webFixture();
  await jsonOf(await web.handle(post("/api/jobs", { command: "true", queue: "mail" })), 201);
  const paused = await jsonOf<Json>(await web.handle(post("/api/queues/mail/pause")), 200);
  assertEquals([paused.name, paused.paused], ["mail", true]);
  const resumed = await jsonOf<Json>(await web.handle(post("/api/queues/mail/resume")), 200);
  strictEqual(resumed.paused, false);
  match(await errorOf(await web.handle(post("/api/queues/nosuch/pause")), 400), /unknown queue/);
  const evil = post("/api/queues/mail/pause", undefined, {
    headers: { Origin: "http://evil.example" },
  });
  strictEqual((await web.handle(evil)).status, 403);
  const [mail] = (await jsonOf<Json[]>(await web.handle(get("/api/queues")), 200))
    .filter((q) => q.name === "mail");
  strictEqual(mail.paused, false, "the refused POST changed nothing");
});
