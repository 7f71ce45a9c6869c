import { deepStrictEqual as assertEquals, strictEqual } from "node:assert/strict";
import { enqueue, spec, T0 } from "../../tests/factory.ts";
import { get, jsonOf, webFixture } from "../../tests/web_fixture.ts";

// deno-lint-ignore no-explicit-any
type Json = Record<string, any>;

const ids = (page: Json) => page.jobs.map((j: Json) => j.id);

Deno.test("GET /api/jobs lists every job newest created first, picked ids included, with the counters' total", async () => {
  await using web = await webFixture();
  await enqueue(web.store, [spec({ id: "zz-old" })], T0);
  const [mid] = await enqueue(web.store, [spec()], T0 + 1000);
  await enqueue(web.store, [spec({ id: "aa-new" })], T0 + 2000);
  const page = await jsonOf<Json>(await web.handle(get("/api/jobs?order=newest&limit=2")), 200);
  assertEquals(ids(page), ["aa-new", mid!.id]);
  strictEqual(page.total, 3);
  const rest = await jsonOf<Json>(
    await web.handle(get(`/api/jobs?order=newest&limit=2&cursor=${page.next_cursor}`)),
    200,
  );
  assertEquals(ids(rest), ["zz-old"]);
  const oldest = await jsonOf<Json>(await web.handle(get("/api/jobs?order=oldest")), 200);
  assertEquals(ids(oldest), ["zz-old", mid!.id, "aa-new"]);
});

Deno.test("GET /api/jobs combines queue, label and state, says when it filtered within a bounded scan, and totals a queue from its counters", async () => {
  await using web = await webFixture();
  await enqueue(web.store, [
    spec({ id: "m1", queue: "mail", labels: { batch: "1" } }),
    spec({ id: "m2", queue: "mail", labels: { batch: "1" }, run_at: T0 + 60_000 }),
    spec({ id: "m3", queue: "mail", labels: { batch: "2" } }),
    spec({ id: "d1", labels: { batch: "1" } }),
  ], T0);
  const both = await jsonOf<Json>(await web.handle(get("/api/jobs?queue=mail&label=batch=1")), 200);
  assertEquals(ids(both), ["m1", "m2"]);
  strictEqual(both.filtered.index, "label");
  const three = await jsonOf<Json>(
    await web.handle(get("/api/jobs?queue=mail&label=batch=1&state=scheduled")),
    200,
  );
  assertEquals(ids(three), ["m2"]);
  const queue = await jsonOf<Json>(await web.handle(get("/api/jobs?queue=mail")), 200);
  strictEqual(queue.total, 3);
  const newestLabel = await jsonOf<Json>(
    await web.handle(get("/api/jobs?label=batch=1&order=newest")),
    200,
  );
  assertEquals(ids(newestLabel), ["m1", "m2", "d1"].sort().reverse());
});

Deno.test("GET /api/jobs?q= finds a k=v label through its index, an id by prefix, and command text, in one request", async () => {
  await using web = await webFixture();
  await enqueue(web.store, [
    spec({ id: "report-2026-01", command: "make report" }),
    spec({ id: "report-2026-02", command: "true" }),
    spec({ id: "x", command: "echo needle", labels: { team: "red" } }),
  ], T0);
  const byLabel = await jsonOf<Json>(await web.handle(get("/api/jobs?q=team=red")), 200);
  assertEquals([ids(byLabel), byLabel.search.by, byLabel.search.partial], [["x"], "label", false]);
  const byPrefix = await jsonOf<Json>(await web.handle(get("/api/jobs?q=report-2026")), 200);
  assertEquals(ids(byPrefix).sort(), ["report-2026-01", "report-2026-02"]);
  const byCommand = await jsonOf<Json>(await web.handle(get("/api/jobs?q=NEEDLE")), 200);
  assertEquals([ids(byCommand), byCommand.search.partial], [["x"], false]);
  const inQueue = await jsonOf<Json>(await web.handle(get("/api/jobs?q=needle&queue=other")), 200);
  assertEquals(ids(inQueue), []);
});

Deno.test("GET /api/jobs?queue= walks creation order within a bounded scan, says so, and goes on from its cursor", async () => {
  await using web = await webFixture();
  // The queue's one job is the oldest: the newest-first walk meets 5,200 others before it.
  const [rare] = await enqueue(web.store, [spec({ queue: "rare" })], T0 - 1);
  await enqueue(web.store, Array.from({ length: 5200 }, () => spec()), T0);
  const first = await jsonOf<Json>(await web.handle(get("/api/jobs?queue=rare&order=newest")), 200);
  assertEquals([ids(first), first.filtered, first.partial], [[], {
    index: "created",
    bounded_scan: 5000,
  }, true]);
  strictEqual(first.scanned <= 5000, true);
  strictEqual(typeof first.next_cursor, "string");
  strictEqual(first.total, 1, "the queue's counters know the total at once");
  let cursor = first.next_cursor;
  let found: string[] = [];
  for (let i = 0; i < 20 && cursor; i++) {
    const page = await jsonOf<Json>(
      await web.handle(get(`/api/jobs?queue=rare&order=newest&cursor=${cursor}`)),
      200,
    );
    found = found.concat(ids(page));
    cursor = page.next_cursor;
  }
  assertEquals(found, [rare!.id]);
});
