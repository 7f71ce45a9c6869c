import { deepEqual, equal, rejects } from "node:assert/strict";
import { checkInvariants, enqueue, reopen, spec, T0, tempStore } from "../../tests/factory.ts";
import { NotFoundError } from "../errors.ts";
import type { Job } from "../job.ts";
import { type Schedule, tickId } from "../schedule.ts";
import { keys } from "./keys.ts";
import type { Store } from "./open.ts";
import { fireDueSchedules } from "./schedule_tick.ts";
import {
  addSchedule,
  getSchedule,
  listSchedules,
  pauseSchedule,
  removeSchedule,
  resumeSchedule,
} from "./schedules.ts";

/** A schedule every second from T0 (its first tick T0 + 1 s), plus `overrides`. */
function schedule(overrides: Partial<Schedule> = {}): Schedule {
  return {
    name: "tick",
    cron: null,
    every_ms: 1000,
    tz: "UTC",
    catch_up: false,
    paused: false,
    spec: {
      command: "true",
      queue: "default",
      priority: 3,
      max_retries: null,
      timeout: null,
      cwd: "/tmp",
      labels: { from: "schedule" },
    },
    next_at: T0 + 1000,
    last_at: null,
    last_job: null,
    created_at: T0,
    updated_at: T0,
    ...overrides,
  };
}

async function jobIds(store: Store): Promise<string[]> {
  const out: string[] = [];
  for await (const e of store.db.kv.list<Job>({ prefix: keys.jobs })) out.push(e.value.id);
  return out.sort();
}

async function dueEntries(store: Store): Promise<Deno.KvKey[]> {
  const out: Deno.KvKey[] = [];
  for await (const e of store.db.kv.list({ prefix: keys.scheduleDueAll })) out.push(e.key);
  return out;
}

const fire = (store: Store, now: number) => fireDueSchedules(store, { now, maxRetries: 2 });

Deno.test("a due tick enqueues one pending job named after the tick, and the due entry moves on", async () => {
  await using store = await tempStore();
  await addSchedule(store, schedule());
  deepEqual(await fire(store, T0 + 999), { jobs: [], nextAt: T0 + 1000 });
  const { jobs, nextAt } = await fire(store, T0 + 1000);
  equal(jobs.length, 1);
  const [job] = jobs as [Job];
  equal(job.id, tickId("tick", T0 + 1000));
  equal(job.id, "tick:20260101T000001Z");
  equal(job.state, "pending");
  equal(job.priority, 3);
  equal(job.max_retries, 2); // The config's, when the tick fires.
  equal(job.cwd, "/tmp");
  deepEqual(job.labels, { from: "schedule" });
  equal(nextAt, T0 + 2000);
  const s = await getSchedule(store, "tick");
  equal(s.next_at, T0 + 2000);
  equal(s.last_at, T0 + 1000);
  equal(s.last_job, job.id);
  deepEqual(await dueEntries(store), [keys.scheduleDue(T0 + 2000, "tick")]);
  await checkInvariants(store);
});

Deno.test("two tickers on separate handles firing together enqueue each tick exactly once", async () => {
  await using store = await tempStore();
  await using other = await reopen(store);
  await addSchedule(store, schedule());
  for (let i = 1; i <= 20; i++) {
    const now = T0 + i * 1000 + (i % 3) * 100;
    await Promise.all([fire(store, now), fire(other, now), fire(store, now)]);
  }
  const expected = Array.from({ length: 20 }, (_, i) => tickId("tick", T0 + (i + 1) * 1000));
  deepEqual(await jobIds(store), expected);
  await checkInvariants(store);
});

Deno.test("a tick whose job id was already taken by hand is skipped, not enqueued twice", async () => {
  await using store = await tempStore();
  await addSchedule(store, schedule());
  const id = tickId("tick", T0 + 1000);
  await enqueue(store, spec({ id, command: "echo by hand" }));
  const { jobs } = await fire(store, T0 + 1000);
  equal(jobs.length, 0);
  deepEqual(await jobIds(store), [id]);
  const s = await getSchedule(store, "tick");
  equal(s.next_at, T0 + 2000);
  await checkInvariants(store);
});

Deno.test("after downtime a schedule fires once for the latest missed tick; with catch-up, for each", async () => {
  await using store = await tempStore();
  await addSchedule(store, schedule({ name: "once" }));
  await addSchedule(store, schedule({ name: "all", catch_up: true }));
  const now = T0 + 20_500;
  // Catch-up fires at most 8 ticks per op: a few looks drain the 20 missed ones.
  for (let i = 0; i < 5; i++) await fire(store, now);
  const ids = await jobIds(store);
  deepEqual(ids.filter((id) => id.startsWith("once:")), [tickId("once", T0 + 20_000)]);
  deepEqual(
    ids.filter((id) => id.startsWith("all:")),
    Array.from({ length: 20 }, (_, i) => tickId("all", T0 + (i + 1) * 1000)),
  );
  equal((await getSchedule(store, "all")).next_at, T0 + 21_000);
  await checkInvariants(store);
});

Deno.test("a paused schedule fires nothing; resumed, it starts from the next tick after now", async () => {
  await using store = await tempStore();
  await addSchedule(store, schedule());
  const paused = await pauseSchedule(store, "tick", { now: T0 + 10 });
  equal(paused.paused, true);
  equal(paused.next_at, null);
  deepEqual(await dueEntries(store), []);
  deepEqual(await fire(store, T0 + 5000), { jobs: [], nextAt: null });
  const resumed = await resumeSchedule(store, "tick", { now: T0 + 9500 });
  equal(resumed.next_at, T0 + 10_000);
  deepEqual(await dueEntries(store), [keys.scheduleDue(T0 + 10_000, "tick")]);
  const { jobs } = await fire(store, T0 + 10_000);
  deepEqual(jobs.map((j) => j.id), [tickId("tick", T0 + 10_000)]);
});

Deno.test("adding a name twice is a conflict that writes nothing; unknown names are not found", async () => {
  await using store = await tempStore();
  await addSchedule(store, schedule());
  await rejects(addSchedule(store, schedule({ spec: { ...schedule().spec, command: "x" } })), {
    name: "ConflictError",
    message: "schedule tick already exists",
  });
  equal((await getSchedule(store, "tick")).spec.command, "true");
  // Each op starts only when awaited: a second rejection pending meanwhile would be unhandled.
  for (const op of [() => getSchedule(store, "nope"), () => removeSchedule(store, "nope")]) {
    await rejects(
      op(),
      (err) => err instanceof NotFoundError && /no schedule nope/.test(err.message),
    );
  }
});

Deno.test("removing a schedule deletes it and its due entry, and keeps the jobs it made", async () => {
  await using store = await tempStore();
  await addSchedule(store, schedule());
  await fire(store, T0 + 1000);
  await removeSchedule(store, "tick");
  deepEqual(await listSchedules(store), []);
  deepEqual(await dueEntries(store), []);
  deepEqual(await jobIds(store), [tickId("tick", T0 + 1000)]);
});

Deno.test("a due entry that no schedule owns is deleted by the next look", async () => {
  await using store = await tempStore();
  await store.db.kv.set(keys.scheduleDue(T0, "ghost"), "ghost");
  deepEqual(await fire(store, T0 + 1), { jobs: [], nextAt: null });
  deepEqual(await dueEntries(store), []);
});
