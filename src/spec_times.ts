/**
 * The time fields of a job spec: `run_at` (an ISO 8601 date and time), `delay`, `timeout` and
 * `unique_for` (durations or numbers of seconds), each checked against its range. Every
 * rejection is a one-line UsageError naming the field and value.
 *
 * @module
 */

import { parseDuration } from "./duration.ts";
import { UsageError } from "./errors.ts";
import { numberText } from "./number_text.ts";
import { showValue } from "./suggest.ts";

const DAY = 86_400_000;
const MAX_TIMEOUT_MS = 30 * DAY;
const MIN_TIMEOUT_MS = 100;
const MAX_DELAY_MS = 3650 * DAY;
const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})[T ]\d{2}:\d{2}/;

/**
 * `run_at`: an ISO 8601 date and time, in epoch ms; an impossible calendar day is refused.
 *
 * @example
 * ```ts
 * readRunAt("2026-11-23T10:00:00Z"); // 1795428000000
 * ```
 */
export function readRunAt(value: unknown): number {
  const fail = () =>
    new UsageError(
      `run_at must be an ISO 8601 date and time like 2026-11-23T10:00:00Z, ` +
        `got ${showValue(value, 40)}`,
    );
  if (typeof value !== "string") throw fail();
  numberText(value, "run_at");
  const match = DATE_TIME.exec(value);
  if (!match) throw fail();
  // Date.parse rolls impossible days over (Feb 30 becomes Mar 2), so check the calendar first.
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth) throw fail();
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) throw fail();
  return ms;
}

/**
 * `unique_for`: a duration from 1s to 3650d, in ms.
 *
 * @example
 * ```ts
 * readUniqueFor("10m"); // 600000
 * ```
 */
export function readUniqueFor(value: unknown): number {
  const ms = readDuration(value, "unique_for");
  if (ms === undefined || ms < 1000 || ms > MAX_DELAY_MS) {
    throw new UsageError(
      `unique_for must be a duration from 1s to 3650d like 10m, or a number of seconds, ` +
        `got ${showValue(value, 40)}`,
    );
  }
  return ms;
}

/**
 * `delay`: a duration up to 3650d, in ms.
 *
 * @example
 * ```ts
 * readDelay("5m"); // 300000
 * ```
 */
export function readDelay(value: unknown): number {
  const ms = readDuration(value, "delay");
  if (ms === undefined || ms > MAX_DELAY_MS) {
    throw new UsageError(
      `delay must be a duration up to 3650d like 30s or 5m, or a number of seconds, ` +
        `got ${showValue(value, 40)}`,
    );
  }
  return ms;
}

/**
 * `timeout`: a per-attempt limit from 100ms to 30d in ms, or null for none (absent, null or 0).
 *
 * @example
 * ```ts
 * readTimeout("30s"); // 30000
 * readTimeout(0); // null
 * ```
 */
export function readTimeout(value: unknown): number | null {
  if (value === undefined || value === null) return null;
  const ms = readDuration(value, "timeout");
  if (ms === 0) return null;
  if (ms === undefined || ms < MIN_TIMEOUT_MS || ms > MAX_TIMEOUT_MS) {
    throw new UsageError(
      `timeout must be 0 or null (no limit), a duration from 100ms to 30d like 30s, ` +
        `or a number of seconds, got ${showValue(value, 40)}`,
    );
  }
  return ms;
}

/**
 * A duration string or number of seconds in ms, or undefined if it is not one. Text with
 * whitespace around it is refused here, with its own message (`numberText`'s rule).
 */
function readDuration(value: unknown, name: string): number | undefined {
  if (typeof value !== "string" && typeof value !== "number") return undefined;
  if (typeof value === "string") numberText(value, name);
  try {
    return parseDuration(value);
  } catch (error) {
    if (error instanceof UsageError) return undefined;
    throw error;
  }
}
