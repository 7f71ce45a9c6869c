import { deepStrictEqual as assertEquals, match, strictEqual } from "node:assert/strict";
import { enqueue, spec, T0 } from "../../tests/factory.ts";
import { errorOf, get, jsonOf, webFixture } from "../../tests/web_fixture.ts";
import { cancelJob } from "../store/cancel.ts";

// deno-lint-ignore no-explicit-any
type Json = Record<string, any>;

const ids = (page: Json) => page.jobs.map((j: Json) => j.id);

Deno.test("GET /api/jobs?state= lists by creation time by default and by latest transition with sort=changed", async () => {
  await using web = await webFixture();
  for (const [i, id] of ["c1", "c2", "c3", "c4"].entries()) {
    await enqueue(web.store, [spec({ id, queue: i % 2 ? "mail" : "default" })], T0 + i * 1000);
  }
  // Canceled in another order than created.
  for (const [n, id] of ["c3", "c1", "c4", "c2"].entries()) {
    await cancelJob(web.store, id, { now: T0 + 10_000 + n * 1000 });
  }
  const created = await jsonOf<Json>(
    await web.handle(get("/api/jobs?state=canceled&order=newest")),
    200,
  );
  assertEquals([ids(created), created.sort, created.total], [
    ["c4", "c3", "c2", "c1"],
    "created",
    4,
  ]);
  strictEqual(created.filtered, undefined, "a small state is read whole: exact, no bounded scan");
  strictEqual(created.read, "sorted");
  const changed = await jsonOf<Json>(
    await web.handle(get("/api/jobs?state=canceled&order=newest&sort=changed")),
    200,
  );
  assertEquals([ids(changed), changed.sort], [["c2", "c4", "c1", "c3"], "changed"]);
  // Paged two at a time by creation, the cursor neither repeats nor skips a job.
  const p1 = await jsonOf<Json>(
    await web.handle(get("/api/jobs?state=canceled&order=newest&limit=2")),
    200,
  );
  const p2 = await jsonOf<Json>(
    await web.handle(get(`/api/jobs?state=canceled&order=newest&limit=2&cursor=${p1.next_cursor}`)),
    200,
  );
  assertEquals([ids(p1), ids(p2), p2.next_cursor], [["c4", "c3"], ["c2", "c1"], null]);
  // A queue alone, and a queue with a state, by creation through the walk, which says so.
  const mail = await jsonOf<Json>(await web.handle(get("/api/jobs?queue=mail&order=newest")), 200);
  assertEquals([ids(mail), mail.filtered?.index, mail.read, mail.partial], [
    ["c4", "c2"],
    "created",
    "walk",
    false,
  ]);
  const mailOldest = await jsonOf<Json>(
    await web.handle(get("/api/jobs?queue=mail&state=canceled&order=oldest")),
    200,
  );
  assertEquals(ids(mailOldest), ["c2", "c4"]);
  const mailChanged = await jsonOf<Json>(
    await web.handle(get("/api/jobs?queue=mail&state=canceled&sort=changed")),
    200,
  );
  assertEquals(ids(mailChanged), ["c4", "c2"]);
  const mailLatest = await jsonOf<Json>(
    await web.handle(get("/api/jobs?queue=mail&state=canceled&sort=changed&order=newest")),
    200,
  );
  assertEquals([ids(mailLatest), mailLatest.filtered?.index, mailLatest.partial], [
    ["c2", "c4"],
    "state",
    false,
  ]);
});

Deno.test("GET /api/jobs refuses a bad sort, and sort=changed without a state or with a label, with one line", async () => {
  await using web = await webFixture();
  await enqueue(web.store, [spec({ id: "a", labels: { k: "v" } })], T0);
  const cases: [string, RegExp][] = [
    ["/api/jobs?sort=newest", /^sort must be created or changed, got "newest"$/],
    ["/api/jobs?sort=CREATED", /^sort must be created or changed/],
    ["/api/jobs?sort=changed", /^sort=changed lists one state's index by latest transition/],
    ["/api/jobs?sort=changed&queue=mail", /^sort=changed lists one state's index/],
    ["/api/jobs?sort=changed&state=pending&label=k=v", /give a state and no label/],
    ["/api/jobs?sorted=created", /unknown parameter "sorted" \(did you mean "sort"\?\)/],
  ];
  for (const [path, want] of cases) match(await errorOf(await web.handle(get(path)), 400), want);
  const ok = await jsonOf<Json>(await web.handle(get("/api/jobs?sort=created&label=k=v")), 200);
  assertEquals(ids(ok), ["a"]);
});
