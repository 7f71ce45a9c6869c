/**
 * Recurring schedules: the record, and the pure decisions about its ticks (when the next one
 * is, which ones fire at `now`, and the id of the job each tick makes). The cron arithmetic,
 * time zones and DST included, is croner's; an `every` cadence is epoch-aligned arithmetic.
 *
 * @module
 */
import type { Cron } from "croner";
import type { Labels } from "./labels.ts";

/** The job a schedule enqueues at each tick: what `enqueue` would take as flags. */
export interface ScheduleSpec {
  /** Shell command. */
  command: string;
  /** The named queue the job goes to (carried onto the job once named queues exist). */
  queue: string;
  /** -1000..1000, higher runs first. */
  priority: number;
  /** Retries after the first attempt; null: the `max_retries` config when the tick fires. */
  max_retries: number | null;
  /** Per-attempt limit in ms, or null for the configured `job_timeout`. */
  timeout: number | null;
  /** Absolute folder the job runs in, or null for the worker's own. */
  cwd: string | null;
  /** Labels every job of the schedule gets; absent when none. */
  labels?: Labels;
}

/**
 * A schedule as stored under `["schedule", name]`. While it is not paused, `next_at` is its
 * next tick and `["schedule_due", next_at, name]` lists it; paused, `next_at` is null and no
 * due entry exists.
 *
 * @example
 * ```ts
 * const s: Schedule = {
 *   name: "backup", cron: "0 3 * * *", every_ms: null, tz: "Europe/Berlin", catch_up: false,
 *   paused: false, next_at: 0, last_at: null, last_job: null, created_at: 0, updated_at: 0,
 *   spec: { command: "make backup", queue: "default", priority: 0, max_retries: null,
 *     timeout: null, cwd: "/srv" },
 * };
 * ```
 */
export interface Schedule extends Cadence {
  /** 1–64 characters of `[A-Za-z0-9._-]`: with a tick it makes the job id. */
  name: string;
  /** Fire every missed tick after downtime (bounded per pass), not only the latest. */
  catch_up: boolean;
  /** Paused: no tick fires until `resume`. */
  paused: boolean;
  /** The job template. */
  spec: ScheduleSpec;
  /** The next tick (ms), null while paused. */
  next_at: number | null;
  /** The last tick that fired (ms), or null. */
  last_at: number | null;
  /** The id of the job of the last tick that fired, or null. */
  last_job: string | null;
  /** When it was added (ms). */
  created_at: number;
  /** When it last changed (ms). */
  updated_at: number;
}

/** When a schedule ticks: a cron expression in a time zone, or a fixed period. */
export interface Cadence {
  /** 5-field cron (minute resolution) or 6-field (with seconds first); null with `every_ms`. */
  cron: string | null;
  /** A period in whole seconds (as ms), ticks aligned on the epoch; null with `cron`. */
  every_ms: number | null;
  /** IANA time zone the cron fields are read in ("UTC" by default; unused by `every`). */
  tz: string;
}

/** Most ticks one atomic operation fires: one check each, plus the record and the due entry. */
export const MAX_TICKS_PER_OP = 8;

/**
 * What a schedule name may look like: 1–64 characters of `[A-Za-z0-9._-]`, not `.` or `..`
 * (a URL path would resolve them away), so `NAME:YYYYMMDDTHHMMSSZ` is a valid job id.
 *
 * @example
 * ```ts
 * SCHEDULE_NAME_PATTERN.test("nightly-backup"); // true
 * SCHEDULE_NAME_PATTERN.test("a:b"); // false
 * ```
 */
export const SCHEDULE_NAME_PATTERN: RegExp = /^(?!\.\.?$)[A-Za-z0-9._-]{1,64}$/;

const crons = new Map<string, Cron>();
let CronClass: typeof Cron | null = null;

/**
 * Loads the cron parser, which the cron functions below need first. It is loaded on demand
 * because a worker that never meets a cron schedule should not carry it: importing the npm
 * package costs each worker process about 2 MiB of RSS (B7).
 *
 * @example
 * ```ts
 * await loadCron();
 * nextTick({ cron: "0 * * * *", every_ms: null, tz: "UTC" }, 0); // 3600000
 * ```
 */
export async function loadCron(): Promise<void> {
  CronClass ??= (await import("croner")).Cron;
}

/**
 * Whether the cadences need {@linkcode loadCron} before they are computed (pure).
 *
 * @example
 * ```ts
 * needsCron([{ cron: null }, { cron: "* * * * *" }]); // true
 * ```
 */
export function needsCron(cadences: Iterable<{ cron: string | null }>): boolean {
  for (const c of cadences) if (c.cron !== null && CronClass === null) return true;
  return false;
}

/**
 * The croner object of a cron expression in a time zone, made once per pair (a paused Cron
 * never starts a timer). Throws croner's own error on a bad expression.
 */
function cronOf(expr: string, tz: string): Cron {
  const id = `${tz} ${expr}`;
  let cron = crons.get(id);
  if (cron === undefined) {
    if (CronClass === null) throw new Error("the cron parser is not loaded: await loadCron()");
    cron = new CronClass(expr, { timezone: tz, mode: "5-or-6-parts", paused: true });
    if (crons.size >= 256) crons.clear();
    crons.set(id, cron);
  }
  return cron;
}

/**
 * Throws a RangeError naming what is wrong with a cron expression or time zone, or with an
 * expression that never fires; returns the first tick after `now` otherwise (pure).
 *
 * @example
 * ```ts
 * checkCron("*\/5 * * * *", "UTC", 0); // 300000
 * ```
 */
export function checkCron(expr: string, tz: string, now: number): number {
  checkTimeZone(tz);
  let next: number | null;
  try {
    next = nextTick({ cron: expr, every_ms: null, tz }, now);
  } catch (err) {
    const why = (err instanceof Error ? err.message : String(err)).replace(/^Cron\w*: /, "");
    throw new RangeError(why);
  }
  if (next === null) throw new RangeError(`it never fires`);
  return next;
}

/**
 * Throws a RangeError unless `tz` is an IANA time zone this runtime knows (pure).
 *
 * @example
 * ```ts
 * checkTimeZone("Europe/Berlin"); // ok
 * ```
 */
export function checkTimeZone(tz: string): void {
  // Intl knows exactly the zones croner can convert to (it uses Intl itself).
  new Intl.DateTimeFormat("en-US", { timeZone: tz });
}

/**
 * The first tick strictly after `after` (ms), or null when the cron expression has no more
 * (pure). Ticks are whole seconds.
 *
 * @example
 * ```ts
 * nextTick({ cron: null, every_ms: 10_000, tz: "UTC" }, 25_000); // 30000
 * ```
 */
export function nextTick(c: Cadence, after: number): number | null {
  if (c.every_ms !== null) return Math.floor(after / c.every_ms) * c.every_ms + c.every_ms;
  const next = cronOf(c.cron!, c.tz).nextRun(new Date(after));
  return next === null ? null : next.getTime();
}

/**
 * The latest tick at or before `now` (ms), or null when there is none (pure).
 *
 * @example
 * ```ts
 * latestTick({ cron: "*\/5 * * * *", every_ms: null, tz: "UTC" }, 420_000); // 300000
 * ```
 */
export function latestTick(c: Cadence, now: number): number | null {
  if (c.every_ms !== null) return Math.floor(now / c.every_ms) * c.every_ms;
  // previousRuns counts a run in the reference's own second only if it is earlier in it.
  const [last] = cronOf(c.cron!, c.tz).previousRuns(1, new Date(now + 1));
  return last === undefined ? null : last.getTime();
}

/**
 * The id of the job a tick makes: the schedule's name, a colon, and the tick's UTC time to the
 * second (pure).
 *
 * @example
 * ```ts
 * tickId("tick", Date.UTC(2026, 11, 5, 10, 5)); // "tick:20261205T100500Z"
 * ```
 */
export function tickId(name: string, tick: number): string {
  const iso = new Date(tick).toISOString(); // 2026-12-05T10:05:00.000Z
  return `${name}:${iso.slice(0, 19).replaceAll("-", "").replaceAll(":", "")}Z`;
}

/** What {@linkcode planTicks} decided. */
export interface TickPlan {
  /** The ticks to fire now, oldest first (each becomes a job). */
  fire: number[];
  /** The schedule's next tick after them: in the future, or a missed one left for the next pass. */
  nextAt: number | null;
}

/**
 * Which ticks of a schedule fire at `now` (pure). Nothing before `next_at`. Past it, by default
 * only the latest tick at or before `now` fires, whatever was missed before it (after downtime
 * a schedule runs once, not once per missed tick); with `catch_up` every missed tick fires, at
 * most `max` per call, the rest left for the next call by a `nextAt` still in the past.
 *
 * @example
 * ```ts
 * const s = { cron: null, every_ms: 1000, tz: "UTC", catch_up: false, next_at: 5000 };
 * planTicks(s, 8500); // { fire: [8000], nextAt: 9000 }
 * planTicks({ ...s, catch_up: true }, 8500); // { fire: [5000, 6000, 7000, 8000], nextAt: 9000 }
 * ```
 */
export function planTicks(
  s: Cadence & Pick<Schedule, "catch_up" | "next_at">,
  now: number,
  max: number = MAX_TICKS_PER_OP,
): TickPlan {
  if (s.next_at === null || s.next_at > now) return { fire: [], nextAt: s.next_at };
  if (!s.catch_up) {
    const latest = Math.max(latestTick(s, now) ?? s.next_at, s.next_at);
    return { fire: [latest], nextAt: nextTick(s, latest) };
  }
  const fire: number[] = [];
  let t: number | null = s.next_at;
  while (t !== null && t <= now && fire.length < max) {
    fire.push(t);
    t = nextTick(s, t);
  }
  return { fire, nextAt: t };
}

/**
 * Where a schedule's ticks start again on `resume` at `now` (pure): the first tick after `now`,
 * so the time it was paused fires nothing; with `catch_up`, the first tick after the last one
 * that fired (or after it was added), so the paused time is caught up.
 *
 * @example
 * ```ts
 * const s = { cron: null, every_ms: 1000, tz: "UTC", catch_up: false, last_at: 2000, created_at: 0 };
 * resumeAt(s, 9500); // 10000
 * resumeAt({ ...s, catch_up: true }, 9500); // 3000
 * ```
 */
export function resumeAt(
  s: Cadence & Pick<Schedule, "catch_up" | "last_at" | "created_at">,
  now: number,
): number | null {
  return nextTick(s, s.catch_up ? s.last_at ?? s.created_at : now);
}
