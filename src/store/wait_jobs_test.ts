import { deepStrictEqual, equal, ok } from "node:assert/strict";
import { enqueue, job, reopen, spec, tempStore } from "../../tests/factory.ts";
import { cancelJob } from "./cancel.ts";
import { waitDone, waitJobs } from "./wait_jobs.ts";

Deno.test("waitDone: all ended, or with any one; a deleted job counts as ended", () => {
  const done = job({ state: "completed" });
  const running = job({ state: "processing" });
  equal(waitDone([done, running], {}), false);
  equal(waitDone([done, running], { any: true }), true);
  equal(waitDone([null], {}), true);
});

Deno.test("a cancel from another handle wakes waitJobs through the end bell, not its poll", async () => {
  await using store = await tempStore();
  await using other = await reopen(store);
  const [a, b] = await enqueue(store, [spec({ id: "a" }), spec({ id: "b" })]);
  const started = performance.now();
  const waiting = waitJobs(store, [a!.id, b!.id], { any: true, pollMs: 60_000 });
  setTimeout(() => cancelJob(other, "b", { now: Date.now() }), 50);
  const jobs = await waiting;
  ok(performance.now() - started < 2_000, "woken by the poll, not the bell");
  deepStrictEqual(jobs.map((j) => j?.state), ["pending", "canceled"]);
});

Deno.test("an aborted signal ends waitJobs with the jobs as they stand", async () => {
  await using store = await tempStore();
  const [a] = await enqueue(store, spec({ id: "a" }));
  const jobs = await waitJobs(store, [a!.id], { signal: AbortSignal.timeout(50) });
  equal(jobs[0]?.state, "pending");
});
