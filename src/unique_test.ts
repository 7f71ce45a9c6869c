import { equal } from "node:assert/strict";
import type { Job } from "./job.ts";
import { newJob } from "./store/new_job.ts";
import { holdsUniqueKey, uniqueHeld } from "./unique.ts";
import { uniqueViolations } from "./invariants.ts";

const job: Job = newJob({ command: "true", priority: 0, timeout: null, unique_key: "k" }, {
  now: 1000,
  maxRetries: 0,
});

Deno.test("a unique key is held while its job waits or runs, whatever the window", () => {
  for (
    const state of ["held", "blocked", "scheduled", "pending", "processing", "failed"] as const
  ) {
    equal(uniqueHeld({ id: job.id, until: null }, { ...job, state }, 10_000), true, state);
    equal(holdsUniqueKey({ ...job, state }), true, state);
  }
});

Deno.test("a final job holds its key only until its window ends", () => {
  const done: Job = { ...job, state: "completed" };
  equal(uniqueHeld({ id: job.id, until: null }, done, 1000), false);
  equal(uniqueHeld({ id: job.id, until: 3000 }, done, 2999), true);
  equal(uniqueHeld({ id: job.id, until: 3000 }, done, 3000), false);
  equal(uniqueHeld({ id: job.id, until: 3000 }, null, 2000), true);
  equal(uniqueHeld({ id: job.id, until: null }, null, 2000), false);
  equal(holdsUniqueKey(done), false);
});

Deno.test("the window counts from enqueue time", () => {
  const spec = { command: "true", priority: 0, timeout: null, unique_key: "k", unique_for: 2000 };
  equal(newJob(spec, { now: 5000, maxRetries: 0 }).unique_until, 7000);
});

Deno.test("doctor's rules: a stray entry, and a waiting job that does not hold its entry", () => {
  const pending: Job = { ...job, state: "pending" };
  const done: Job = { ...job, id: "done", state: "completed" };
  const found = uniqueViolations(
    [pending, done],
    new Map([["old", { id: "done", until: null }]]),
    0,
  );
  equal(found.map((v) => v.kind).join(), "stray_unique,missing_unique");
  equal(found[0]!.detail, `unique key "old" names job done, which is completed`);
  equal(uniqueViolations([pending], new Map([["k", { id: job.id, until: null }]]), 0).length, 0);
  equal(uniqueViolations([done], new Map([["k", { id: "done", until: 10 }]]), 5).length, 0);
});
