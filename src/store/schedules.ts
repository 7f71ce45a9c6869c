/**
 * Adding, reading, pausing, resuming and removing recurring schedules. Each change is one atomic
 * operation on the record and its due entry together, checked against the record as read;
 * firing their ticks is `schedule_tick.ts`.
 *
 * @module
 */
import { ConflictError, NotFoundError } from "../errors.ts";
import { loadCron, resumeAt, type Schedule } from "../schedule.ts";
import { Tx } from "./db.ts";
import { keys } from "./keys.ts";
import { ensureQueues } from "./queue_registry.ts";
import { scan } from "./doctor_snapshot.ts";
import type { Store } from "./open.ts";

/**
 * Stores a new schedule (its `next_at` already set) with its due entry. A schedule of that name
 * already there is a ConflictError, and nothing is written. Rings the doorbell, so idle workers
 * learn of its first tick.
 *
 * @example
 * ```ts
 * import type { Schedule } from "../schedule.ts";
 * import type { Store } from "./open.ts";
 * declare const store: Store;
 * declare const schedule: Schedule;
 * await addSchedule(store, schedule);
 * ```
 */
export async function addSchedule(store: Store, schedule: Schedule): Promise<Schedule> {
  // Workers serving every queue find a named one by its record: it must exist before a tick.
  await ensureQueues(store, [schedule.spec.queue], schedule.created_at);
  const tx = new Tx().check(keys.schedule(schedule.name), null);
  tx.set(keys.schedule(schedule.name), schedule);
  if (!schedule.paused && schedule.next_at !== null) {
    tx.set(keys.scheduleDue(schedule.next_at, schedule.name), schedule.name);
  }
  if (await store.db.commit(tx) === null) {
    throw new ConflictError(`schedule ${schedule.name} already exists`);
  }
  await store.doorbell.ring();
  return schedule;
}

/**
 * The schedule of that name, or a NotFoundError `no schedule NAME`.
 *
 * @example
 * ```ts
 * import type { Store } from "./open.ts";
 * declare const store: Store;
 * const s = await getSchedule(store, "nightly");
 * ```
 */
export async function getSchedule(store: Store, name: string): Promise<Schedule> {
  const entry = await store.db.get<Schedule>(keys.schedule(name));
  if (entry.value === null) throw new NotFoundError(`no schedule ${name}`);
  return entry.value;
}

/**
 * Every schedule, by name.
 *
 * @example
 * ```ts
 * import type { Store } from "./open.ts";
 * declare const store: Store;
 * for (const s of await listSchedules(store)) console.log(s.name, s.next_at);
 * ```
 */
export async function listSchedules(store: Store): Promise<Schedule[]> {
  const out: Schedule[] = [];
  for await (const e of scan<Schedule>(store, keys.schedules)) out.push(e.value);
  return out;
}

/**
 * Pauses a schedule: no tick fires until it is resumed (its due entry goes). Pausing a paused
 * one changes nothing. Returns the schedule as it now is.
 *
 * @example
 * ```ts
 * import type { Store } from "./open.ts";
 * declare const store: Store;
 * await pauseSchedule(store, "nightly", { now: Date.now() });
 * ```
 */
export function pauseSchedule(
  store: Store,
  name: string,
  options: { now: number },
): Promise<Schedule> {
  return changeSchedule(store, name, (s) => {
    if (s.paused) return null;
    return { ...s, paused: true, next_at: null, updated_at: options.now };
  });
}

/**
 * Resumes a paused schedule from `now`: its next tick is the first after `now`, so the paused
 * time fires nothing, unless it catches up (see `resumeAt`). Resuming one that is not paused
 * changes nothing. Rings the doorbell.
 *
 * @example
 * ```ts
 * import type { Store } from "./open.ts";
 * declare const store: Store;
 * await resumeSchedule(store, "nightly", { now: Date.now() });
 * ```
 */
export async function resumeSchedule(
  store: Store,
  name: string,
  options: { now: number },
): Promise<Schedule> {
  await loadCron(); // for resumeAt, should it be a cron schedule
  const s = await changeSchedule(store, name, (s) => {
    if (!s.paused) return null;
    return { ...s, paused: false, next_at: resumeAt(s, options.now), updated_at: options.now };
  });
  await store.doorbell.ring();
  return s;
}

/**
 * Removes a schedule and its due entry; the jobs it made stay. A NotFoundError if there is none.
 *
 * @example
 * ```ts
 * import type { Store } from "./open.ts";
 * declare const store: Store;
 * await removeSchedule(store, "nightly");
 * ```
 */
export async function removeSchedule(store: Store, name: string): Promise<Schedule> {
  let removed: Schedule | null = null;
  await changeSchedule(store, name, (s) => {
    removed = s;
    return "remove";
  });
  return removed!;
}

/**
 * The read–check–commit loop of one schedule: `decide` returns its next record, "remove", or
 * null for no change. The due entry follows `next_at`; a lost race reads and decides again.
 */
async function changeSchedule(
  store: Store,
  name: string,
  decide: (s: Schedule) => Schedule | "remove" | null,
): Promise<Schedule> {
  for (;;) {
    const entry = await store.db.get<Schedule>(keys.schedule(name));
    const before = entry.value;
    if (before === null) throw new NotFoundError(`no schedule ${name}`);
    const after = decide(before);
    if (after === null) return before;
    const tx = new Tx().check(entry.key, entry.versionstamp);
    if (before.next_at !== null) tx.delete(keys.scheduleDue(before.next_at, name));
    if (after === "remove") tx.delete(entry.key);
    else {
      tx.set(entry.key, after);
      if (!after.paused && after.next_at !== null) {
        tx.set(keys.scheduleDue(after.next_at, name), name);
      }
    }
    if (await store.db.commit(tx) !== null) return after === "remove" ? before : after;
  }
}
