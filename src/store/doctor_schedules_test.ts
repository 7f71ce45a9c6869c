import { deepEqual, equal } from "node:assert/strict";
import { T0, tempStore } from "../../tests/factory.ts";
import type { Schedule } from "../schedule.ts";
import { checkSchedules, repairSchedules } from "./doctor_schedules.ts";
import { keys } from "./keys.ts";
import { addSchedule, getSchedule, pauseSchedule } from "./schedules.ts";

function schedule(name: string): Schedule {
  return {
    name,
    cron: null,
    every_ms: 60_000,
    tz: "UTC",
    catch_up: false,
    paused: false,
    spec: {
      command: "true",
      queue: "default",
      priority: 0,
      max_retries: null,
      timeout: null,
      cwd: null,
    },
    next_at: T0 + 60_000,
    last_at: null,
    last_job: null,
    created_at: T0,
    updated_at: T0,
  };
}

Deno.test("doctor finds no schedule violation when every schedule has its next tick", async () => {
  await using store = await tempStore();
  await addSchedule(store, schedule("a"));
  await addSchedule(store, schedule("b"));
  await pauseSchedule(store, "b", { now: T0 });
  deepEqual(await checkSchedules(store), []);
});

Deno.test("doctor reports a schedule without its due entry, and --repair gives it back", async () => {
  await using store = await tempStore();
  await addSchedule(store, schedule("a"));
  await store.db.kv.delete(keys.scheduleDue(T0 + 60_000, "a"));
  const found = await checkSchedules(store);
  deepEqual(found.map((v) => [v.kind, v.schedule]), [["schedule_no_tick", "a"]]);
  equal(await repairSchedules(store, { now: T0 + 1 }), 1);
  deepEqual(await checkSchedules(store), []);
  equal((await getSchedule(store, "a")).next_at, T0 + 60_000);
});

Deno.test("a schedule left with no next tick gets the first tick after now on --repair", async () => {
  await using store = await tempStore();
  await store.db.kv.set(keys.schedule("a"), { ...schedule("a"), next_at: null });
  deepEqual((await checkSchedules(store)).map((v) => v.kind), ["schedule_no_tick"]);
  equal(await repairSchedules(store, { now: T0 + 61_000 }), 1);
  equal((await getSchedule(store, "a")).next_at, T0 + 120_000);
  deepEqual(await checkSchedules(store), []);
});

Deno.test("doctor reports a due entry its schedule does not have, and --repair deletes it", async () => {
  await using store = await tempStore();
  await addSchedule(store, schedule("a"));
  await store.db.kv.set(keys.scheduleDue(T0 + 5, "a"), "a");
  await store.db.kv.set(keys.scheduleDue(T0 + 5, "gone"), "gone");
  const found = await checkSchedules(store);
  deepEqual(found.map((v) => [v.kind, v.schedule]).sort(), [
    ["stray_schedule_due", "a"],
    ["stray_schedule_due", "gone"],
  ]);
  equal(await repairSchedules(store, { now: T0 }), 2);
  deepEqual(await checkSchedules(store), []);
});
