/**
 * The JSON form of a recurring schedule, shared by `schedule list --json`, `schedule show
 * --json` and `GET /api/schedules`: snake_case fields and ISO 8601 times, one shape for all.
 *
 * @module
 */
import { formatDuration } from "./duration.ts";
import type { Schedule } from "./schedule.ts";

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

/**
 * A schedule in JSON form (pure): `name, cron, every, tz, catch_up, paused, command, queue,
 * priority, max_retries, timeout (s), cwd, labels, next_run, last_run, last_job, created_at,
 * updated_at`.
 *
 * @example
 * ```ts
 * import type { Schedule } from "./schedule.ts";
 * declare const s: Schedule; // --every 10m
 * scheduleJson(s).every; // "10m"
 * ```
 */
export function scheduleJson(s: Schedule): Record<string, unknown> {
  return {
    name: s.name,
    cron: s.cron,
    every: s.every_ms === null ? null : formatDuration(s.every_ms),
    tz: s.cron === null ? null : s.tz,
    catch_up: s.catch_up,
    paused: s.paused,
    command: s.spec.command,
    queue: s.spec.queue,
    priority: s.spec.priority,
    max_retries: s.spec.max_retries,
    timeout: s.spec.timeout === null ? null : s.spec.timeout / 1000,
    cwd: s.spec.cwd,
    labels: s.spec.labels ?? {},
    next_run: iso(s.next_at),
    last_run: iso(s.last_at),
    last_job: s.last_job,
    created_at: iso(s.created_at),
    updated_at: iso(s.updated_at),
  };
}

/**
 * How a schedule ticks, in words (pure): `every 10m`, or the cron expression and its zone.
 *
 * @example
 * ```ts
 * cadenceText({ cron: "0 3 * * *", every_ms: null, tz: "Europe/Berlin" }); // "cron 0 3 * * * (Europe/Berlin)"
 * ```
 */
export function cadenceText(s: Pick<Schedule, "cron" | "every_ms" | "tz">): string {
  return s.every_ms !== null ? `every ${formatDuration(s.every_ms)}` : `cron ${s.cron} (${s.tz})`;
}
