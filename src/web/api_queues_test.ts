import { deepStrictEqual as assertEquals, match, strictEqual } from "node:assert/strict";
import { checkInvariants } from "../../tests/factory.ts";
import { cliOk, type TempDb } from "../../tests/helpers.ts";
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

Deno.test("POST /api/queues/NAME/settings sets the limit and rate as queue set does; the CLI sees them; null clears one", async () => {
  await using web = await webFixture();
  await jsonOf(await web.handle(post("/api/jobs", { command: "true", queue: "mail" })), 201);
  const set = await jsonOf<Json>(
    await web.handle(post("/api/queues/mail/settings", { concurrency: 2, rate: "10/1m" })),
    200,
  );
  assertEquals([set.name, set.concurrency, set.rate, set.paused], ["mail", 2, "10/1m", false]);
  // The CLI, in its own process, on the file the handler wrote.
  const db: TempDb = {
    dir: web.store.dir,
    path: web.store.path,
    env: { QUEUECTL_DB: web.store.path, NO_COLOR: "1" },
    cleanup: async () => {},
  };
  const listed = JSON.parse(await cliOk(db, ["queue", "list", "--json"]));
  assertEquals(
    listed.filter((q: Json) => q.name === "mail").map((q: Json) => [q.concurrency, q.rate]),
    [[2, "10/1m"]],
  );
  // A field left out stays; null clears.
  const cleared = await jsonOf<Json>(
    await web.handle(post("/api/queues/mail/settings", { rate: null })),
    200,
  );
  assertEquals([cleared.concurrency, cleared.rate], [2, null]);
  await checkInvariants(web.store);
});

Deno.test("POST /api/queues/NAME/settings refuses bad input with one line (400) and a cross-site POST (403), writing nothing", async () => {
  await using web = await webFixture();
  await jsonOf(await web.handle(post("/api/jobs", { command: "true", queue: "mail" })), 201);
  const bad: [unknown, RegExp][] = [
    [{ rate: "fast" }, /^rate takes N\/DURATION such as 10\/1m, got "fast"$/],
    [{ rate: "10/0s" }, /rate's period/],
    [{ rate: 10 }, /rate must be "N\/DURATION"/],
    [{ concurrency: 0 }, /^concurrency must be an integer from 1 to 100000, got "0"$/],
    [{ concurrency: 1.5 }, /concurrency must be an integer/],
    [{ concurrency: "2" }, /concurrency must be a whole number or null/],
    [{ concurrency: 2, rate: "x" }, /rate takes/],
    [{}, /concurrency and\/or rate/],
    [{ limit: 2 }, /unknown setting "limit"/],
    [[2], /must be a JSON object/],
    ["{", /must be a JSON object/],
  ];
  for (const [body, message] of bad) {
    const res = await web.handle(post("/api/queues/mail/settings", body));
    match(await errorOf(res, 400), message, JSON.stringify(body));
  }
  match(
    await errorOf(await web.handle(post("/api/queues/nosuch/settings", { concurrency: 2 })), 400),
    /unknown queue "nosuch"/,
  );
  const evil = post("/api/queues/mail/settings", { concurrency: 2 }, {
    headers: { Origin: "http://evil.example" },
  });
  strictEqual((await web.handle(evil)).status, 403);
  const queues = await jsonOf<Json[]>(await web.handle(get("/api/queues")), 200);
  assertEquals(queues.map((q) => [q.name, q.concurrency, q.rate]), [
    ["default", null, null],
    ["mail", null, null],
  ]);
});
