/**
 * Validation of what `schedule add` is given (name, cadence, queue) into the parts of a
 * schedule record. Every rejection is a one-line UsageError naming the option and the value.
 *
 * @module
 */
import { parseDuration } from "./duration.ts";
import { UsageError } from "./errors.ts";
import { type Cadence, checkCron, nextTick, SCHEDULE_NAME_PATTERN } from "./schedule.ts";
import { showValue } from "./suggest.ts";

/** Longest `--every`: a year. */
const MAX_EVERY_MS = 366 * 86_400_000;

/**
 * Returns `name` if it is a valid schedule name, else throws a UsageError (pure).
 *
 * @example
 * ```ts
 * assertScheduleName("nightly"); // "nightly"
 * ```
 */
export function assertScheduleName(name: string): string {
  if (!SCHEDULE_NAME_PATTERN.test(name)) {
    throw new UsageError(
      `schedule name must be 1-64 characters of A-Z a-z 0-9 . _ - (not . or ..), got ${
        showValue(name, 40)
      }`,
    );
  }
  return name;
}

/** What {@linkcode parseCadence} reads: the options as typed. */
export interface CadenceFlags {
  /** `--cron`. */
  cron?: string;
  /** `--every`. */
  every?: string;
  /** `--tz`. */
  tz?: string;
}

/**
 * Reads `--cron EXPR [--tz ZONE]` or `--every DURATION` (exactly one) into a cadence, and its
 * first tick after `now` (pure).
 *
 * @example
 * ```ts
 * parseCadence({ every: "10m" }, 0); // { cadence: { cron: null, every_ms: 600000, tz: "UTC" }, first: 600000 }
 * ```
 */
export function parseCadence(
  flags: CadenceFlags,
  now: number,
): { cadence: Cadence; first: number } {
  if (flags.cron !== undefined && flags.every !== undefined) {
    throw new UsageError(
      `schedule add takes --cron or --every, not both, got --cron ${showValue(flags.cron, 40)} ` +
        `and --every ${showValue(flags.every, 40)}`,
    );
  }
  if (flags.every !== undefined) {
    if (flags.tz !== undefined) {
      throw new UsageError(`--tz applies to --cron only, got it with --every ${flags.every}`);
    }
    let ms: number;
    try {
      ms = parseDuration(flags.every, { name: "--every" });
    } catch (err) {
      throw new UsageError(`--every: ${(err as Error).message}`);
    }
    if (ms < 1000 || ms % 1000 !== 0 || ms > MAX_EVERY_MS) {
      throw new UsageError(
        `--every must be a whole number of seconds from 1s to 366d, got ${
          showValue(flags.every, 40)
        }`,
      );
    }
    const cadence: Cadence = { cron: null, every_ms: ms, tz: "UTC" };
    return { cadence, first: nextTick(cadence, now)! };
  }
  if (flags.cron === undefined) {
    throw new UsageError(`schedule add needs --cron EXPR or --every DURATION`);
  }
  const tz = flags.tz ?? "UTC";
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: tz });
  } catch {
    throw new UsageError(
      `--tz must be an IANA time zone such as Europe/Berlin, got ${showValue(tz, 40)}`,
    );
  }
  const cron = flags.cron.trim().replace(/\s+/g, " ");
  const fields = cron.split(" ").length;
  if (!cron.startsWith("@") && fields !== 5 && fields !== 6) {
    throw new UsageError(
      `invalid --cron ${showValue(flags.cron, 60)}: expected 5 fields (or 6 with seconds ` +
        `first), got ${fields}`,
    );
  }
  try {
    return { cadence: { cron, every_ms: null, tz }, first: checkCron(cron, tz, now) };
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    throw new UsageError(`invalid --cron ${showValue(flags.cron, 60)}: ${why}`);
  }
}
