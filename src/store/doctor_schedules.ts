/**
 * `doctor` for recurring schedules: every schedule that is not paused must have the due entry of
 * its next tick, and no due entry may list a tick its schedule does not have (see
 * `schedule_check.ts`). A firing tick moves the record and its entry in one atomic op, but two
 * separate lists can straddle it, so each suspect is confirmed by one consistent read of its
 * record and entry before it is reported. `--repair` writes the missing entry (and a next tick
 * from now, if there was none) and deletes stray ones, each checked against what it read.
 *
 * @module
 */
import type { Violation } from "../invariant_data.ts";
import { loadCron, nextTick, type Schedule } from "../schedule.ts";
import { type DueEntry, type ScheduleViolation, scheduleViolations } from "../schedule_check.ts";
import { Tx } from "./db.ts";
import { keys } from "./keys.ts";
import { scan } from "./doctor_snapshot.ts";
import type { Store } from "./open.ts";

/** Consistent re-reads of one suspect before its first sighting is reported as is. */
const RECHECK_TRIES = 10;

/**
 * The schedule violations of the database, each confirmed by a consistent read.
 *
 * @example
 * ```ts
 * import type { Store } from "./open.ts";
 * declare const store: Store;
 * const violations = await checkSchedules(store);
 * ```
 */
export async function checkSchedules(store: Store): Promise<Violation[]> {
  const out: Violation[] = [];
  for (const v of await readViolations(store)) {
    const fresh = await recheck(store, v);
    for (const { entry: _, ...plain } of fresh ?? [v]) out.push(plain);
  }
  return out;
}

/**
 * Repairs every schedule violation at `options.now`; returns how many keys it fixed. A record or
 * entry that changes meanwhile is left alone (it was being fired).
 *
 * @example
 * ```ts
 * import type { Store } from "./open.ts";
 * declare const store: Store;
 * const fixed = await repairSchedules(store, { now: Date.now() });
 * ```
 */
export async function repairSchedules(store: Store, options: { now: number }): Promise<number> {
  let fixed = 0;
  await loadCron(); // a schedule without a next tick gets one from its cadence
  for (const v of await readViolations(store)) {
    const [read] = await consistentRead(store, v);
    if (read === undefined) continue;
    const { record, due } = read;
    const s = record.value;
    const tx = new Tx().check(record.key, record.versionstamp);
    if (v.kind === "schedule_no_tick") {
      if (s === null || s.paused) continue;
      const nextAt = s.next_at ?? nextTick(s, options.now);
      if (nextAt === null) continue;
      const dueKey = keys.scheduleDue(nextAt, s.name);
      tx.check(dueKey, null).set(dueKey, s.name);
      if (nextAt !== s.next_at) tx.set(record.key, { ...s, next_at: nextAt });
    } else {
      if (due === null || due.versionstamp === null) continue;
      if (s !== null && !s.paused && s.next_at === due.key[1]) continue;
      tx.check(due.key, due.versionstamp).delete(due.key);
    }
    if (await store.db.commit(tx) !== null) fixed++;
  }
  return fixed;
}

/** Every schedule and due entry, read by two lists, and what they break. */
async function readViolations(store: Store): Promise<ScheduleViolation[]> {
  const schedules: Schedule[] = [];
  for await (const e of scan<Schedule>(store, keys.schedules)) schedules.push(e.value);
  const due: DueEntry[] = [];
  for await (const e of scan<string>(store, keys.scheduleDueAll)) {
    due.push({ nextAt: e.key[1] as number, name: String(e.key[2]) });
  }
  return scheduleViolations(schedules, due);
}

/** A schedule's record and the due entry a violation speaks of, read together. */
interface Read {
  record: Deno.KvEntryMaybe<Schedule>;
  due: Deno.KvEntryMaybe<string> | null;
}

/**
 * The violation's record and entry in one consistent read (for a missing tick, the entry of
 * the record's `next_at`), with what they break. Empty when the record kept changing.
 */
async function consistentRead(
  store: Store,
  v: ScheduleViolation,
): Promise<[Read, ScheduleViolation[]] | []> {
  const name = v.schedule!;
  const stray = v.entry ? keys.scheduleDue(v.entry.nextAt, name) : null;
  for (let i = 0; i < RECHECK_TRIES; i++) {
    const first = await store.db.get<Schedule>(keys.schedule(name));
    const nextAt = first.value?.paused === false ? first.value.next_at : null;
    const dueKey = stray ?? (nextAt === null ? null : keys.scheduleDue(nextAt, name));
    const got = await store.db.getMany<unknown>([keys.schedule(name), ...(dueKey ? [dueKey] : [])]);
    if (got[0]!.versionstamp !== first.versionstamp) continue;
    const record = got[0] as Deno.KvEntryMaybe<Schedule>;
    const due = (got[1] ?? null) as Deno.KvEntryMaybe<string> | null;
    const entries: DueEntry[] = due?.versionstamp ? [{ nextAt: due.key[1] as number, name }] : [];
    const found = scheduleViolations(record.value ? [record.value] : [], entries);
    return [{ record, due }, found.filter((f) => f.kind === v.kind)];
  }
  return [];
}

/** The violations a consistent read confirms of `v`, or undefined when it never held still. */
async function recheck(
  store: Store,
  v: ScheduleViolation,
): Promise<ScheduleViolation[] | undefined> {
  const read = await consistentRead(store, v);
  return read.length === 0 ? undefined : read[1];
}
