/**
 * The invariants of recurring schedules (pure): every schedule that is not paused has its next
 * tick, listed by exactly one due entry; no due entry lists a tick its schedule does not have.
 * `doctor` reports what this finds; `doctor --repair` writes the missing entry and deletes the
 * stray ones (`store/doctor_schedules.ts`).
 *
 * @module
 */
import type { Violation } from "./invariant_data.ts";
import type { Schedule } from "./schedule.ts";

/** A `["schedule_due", next_at, name]` entry, as read. */
export interface DueEntry {
  /** The tick it lists. */
  nextAt: number;
  /** The schedule it names. */
  name: string;
}

/** A broken schedule rule; a stray entry's violation carries the entry. */
export interface ScheduleViolation extends Violation {
  /** The stray due entry (only for `stray_schedule_due`). */
  entry?: DueEntry;
}

/**
 * The broken rules among `schedules` and the due entries `due` (pure).
 *
 * @example
 * ```ts
 * import type { Schedule } from "./schedule.ts";
 * declare const s: Schedule; // not paused, next_at 1000
 * scheduleViolations([s], []); // [{ kind: "schedule_no_tick", schedule: s.name, detail: "…" }]
 * ```
 */
export function scheduleViolations(
  schedules: readonly Schedule[],
  due: readonly DueEntry[],
): ScheduleViolation[] {
  const out: ScheduleViolation[] = [];
  const listed = new Set(due.map((d) => `${d.nextAt} ${d.name}`));
  const byName = new Map(schedules.map((s) => [s.name, s]));
  for (const s of schedules) {
    if (s.paused) continue;
    if (s.next_at === null || !listed.has(`${s.next_at} ${s.name}`)) {
      const when = s.next_at === null ? "none" : new Date(s.next_at).toISOString();
      out.push({
        kind: "schedule_no_tick",
        schedule: s.name,
        detail:
          `schedule ${s.name} is not paused but has no due entry for its next tick (${when}): it never fires`,
      });
    }
  }
  for (const d of due) {
    const s = byName.get(d.name);
    if (s !== undefined && !s.paused && s.next_at === d.nextAt) continue;
    const why = s === undefined
      ? "no such schedule"
      : s.paused
      ? "it is paused"
      : "not its next tick";
    out.push({
      kind: "stray_schedule_due",
      schedule: d.name,
      entry: d,
      detail: `due entry of schedule ${d.name} at ${new Date(d.nextAt).toISOString()}: ${why}`,
    });
  }
  return out;
}
