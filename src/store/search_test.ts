import { deepStrictEqual as assertEquals, strictEqual } from "node:assert/strict";
import { enqueue, spec, tempStore } from "../../tests/factory.ts";
import { searchJobs } from "./search.ts";

Deno.test("searchJobs finds jobs by id or command text, case-insensitive", async () => {
  await using store = await tempStore();
  await enqueue(store, [
    spec({ id: "nightly-backup", command: "tar czf /tmp/b.tgz ." }),
    spec({ id: "report", command: "make REPORT" }),
    spec({ id: "other", command: "true" }),
  ]);
  const byCommand = await searchJobs(store, { text: "report" });
  assertEquals(byCommand.jobs.map((j) => j.id), ["report"]);
  assertEquals((await searchJobs(store, { text: "BACKUP" })).jobs.map((j) => j.id), [
    "nightly-backup",
  ]);
  assertEquals((await searchJobs(store, { text: "true", state: "dead" })).jobs, []);
});

Deno.test("searchJobs finds an exact id first however far the scan would have to go", async () => {
  await using store = await tempStore();
  await enqueue(
    store,
    Array.from({ length: 30 }, (_, i) => spec({ id: `j${i}`, command: "true" })),
  );
  const res = await searchJobs(store, { text: "j29", scan: 5 });
  strictEqual(res.jobs[0]?.id, "j29");
  strictEqual(res.scanned, 5);
  strictEqual(typeof res.cursor, "string", "the scan stopped early and says where to go on");
});

Deno.test("searchJobs looks up only text shaped like an id, so long text never makes a key", async () => {
  await using store = await tempStore();
  const long = "é".repeat(1200); // 2,400 bytes: too long for a key, fine in a command
  await enqueue(store, [spec({ id: "a", command: `echo ${long}` })]);
  assertEquals((await searchJobs(store, { text: "x".repeat(5000) })).jobs, []);
  assertEquals((await searchJobs(store, { text: long })).jobs.map((j) => j.id), ["a"]);
});

Deno.test("searchJobs bounds its scan and resumes from its cursor to the end", async () => {
  await using store = await tempStore();
  await enqueue(
    store,
    Array.from(
      { length: 25 },
      (_, i) =>
        spec({ id: `k${String(i).padStart(2, "0")}`, command: i % 5 === 0 ? "echo hit" : "true" }),
    ),
  );
  const found: string[] = [];
  let cursor: string | undefined;
  let calls = 0;
  for (;;) {
    const res = await searchJobs(store, { text: "hit", state: "pending", scan: 7, cursor });
    calls++;
    strictEqual(res.scanned <= 7, true);
    found.push(...res.jobs.map((j) => j.id));
    if (!res.cursor) break;
    cursor = res.cursor;
  }
  assertEquals(found, ["k00", "k05", "k10", "k15", "k20"]);
  strictEqual(calls, 4);
  const limited = await searchJobs(store, { text: "hit", limit: 2, order: "newest" });
  assertEquals(limited.jobs.map((j) => j.id), ["k20", "k15"]);
  const rest = await searchJobs(store, {
    text: "hit",
    limit: 10,
    order: "newest",
    cursor: limited.cursor!,
  });
  assertEquals(rest.jobs.map((j) => j.id), ["k10", "k05", "k00"]);
});

Deno.test("searchJobs stops at its time budget, says so with a cursor, and finds ids by prefix at once", async () => {
  await using store = await tempStore();
  await enqueue(
    store,
    Array.from({ length: 1000 }, (_, i) => spec({ id: `job-${i}`, command: "true" })),
  );
  let t = 0;
  const clock = () => (t += 600); // each look at the clock is 600 ms later
  const res = await searchJobs(store, { text: "no-such-text", budgetMs: 1000, clock });
  strictEqual(res.jobs.length, 0);
  strictEqual(res.scanned < 1000, true, `scanned ${res.scanned}`);
  strictEqual(typeof res.cursor, "string", "a partial search says where to go on");
  const byPrefix = await searchJobs(store, { text: "job-99", scan: 1, limit: 20 });
  assertEquals(byPrefix.jobs.map((j) => j.id).sort(), [
    "job-99",
    "job-990",
    "job-991",
    "job-992",
    "job-993",
    "job-994",
    "job-995",
    "job-996",
    "job-997",
    "job-998",
    "job-999",
  ]);
  const inQueue = await searchJobs(store, { text: "job-5", queue: "other", scan: 10_000 });
  assertEquals(inQueue.jobs, []);
});
