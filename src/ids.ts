/**
 * Job ids: generated ULIDs (also the monotonic `seq` sort key) and validation of ids users pick.
 *
 * @module
 */

import { UsageError } from "./errors.ts";
import { showValue } from "./suggest.ts";

/** Crockford base32: ASCII-ordered, so ULID strings sort like the numbers they encode. */
const ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
const TIME_LENGTH = 10;
const RANDOM_LENGTH = 16;
const MAX_TIME = 2 ** 48 - 1;

/**
 * What a job id may look like: 1–128 characters of `[A-Za-z0-9._:-]`, but not `.` or `..`:
 * a URL path resolves those segments away, so `/api/jobs/..` could never name the job.
 *
 * @example
 * ```ts
 * JOB_ID_PATTERN.test("backup:2026-11-23"); // true
 * JOB_ID_PATTERN.test(".."); // false
 * ```
 */
export const JOB_ID_PATTERN: RegExp = /^(?!\.\.?$)[A-Za-z0-9._:-]{1,128}$/;

let lastTime = -1;
let lastRandom: number[] = [];

/**
 * A new 26-character ULID: 10 characters of `now` (ms) then 16 random ones. Ids from one
 * process strictly increase, even within one millisecond or if the clock steps back.
 *
 * @example
 * ```ts
 * const a = newId(Date.now());
 * const b = newId(Date.now());
 * a < b; // true
 * ```
 */
export function newId(now: number): string {
  const time = Math.floor(now);
  if (!Number.isFinite(time) || time < 0 || time > MAX_TIME) {
    throw new UsageError(`cannot make an id for time ${now}: expected ms from 0 to 2^48-1`);
  }
  if (time > lastTime) {
    lastTime = time;
    lastRandom = randomDigits();
  } else if (!increment(lastRandom)) {
    // 80 random bits overflowed within one millisecond: borrow the next millisecond.
    if (lastTime >= MAX_TIME) throw new UsageError(`cannot make an id: ULID space exhausted`);
    lastTime += 1;
    lastRandom = randomDigits();
  }
  // The time part changes at most once a millisecond, and a bulk enqueue makes thousands of ids
  // in each: encode it once.
  if (lastTime !== encodedTime) {
    encodedTime = lastTime;
    encodedTimeText = encodeTime(lastTime);
  }
  let out = encodedTimeText;
  for (const digit of lastRandom) out += ALPHABET[digit];
  return out;
}

let encodedTime = -1;
let encodedTimeText = "";

/**
 * The millisecond time encoded in a ULID made by newId.
 *
 * @example
 * ```ts
 * decodeIdTime(newId(1_795_428_000_000)) >= 1_795_428_000_000; // true
 * ```
 */
export function decodeIdTime(id: string): number {
  if (typeof id !== "string" || !/^[0-9A-HJKMNP-TV-Z]{26}$/i.test(id)) {
    throw new UsageError(`cannot read the time of id ${showValue(id, 40)}: not a ULID`);
  }
  let time = 0;
  for (const char of id.slice(0, TIME_LENGTH).toUpperCase()) {
    time = time * 32 + ALPHABET.indexOf(char);
  }
  return time;
}

/**
 * Whether `id` is an acceptable job id (see JOB_ID_PATTERN).
 *
 * @example
 * ```ts
 * isValidJobId("nightly-backup"); // true
 * isValidJobId("has space"); // false
 * ```
 */
export function isValidJobId(id: string): boolean {
  return typeof id === "string" && JOB_ID_PATTERN.test(id);
}

/**
 * Returns `id` if it is a valid job id, else throws UsageError naming it (cut short if long).
 *
 * @example
 * ```ts
 * assertJobId("job-1"); // "job-1"
 * assertJobId("a b"); // throws UsageError
 * assertJobId(".."); // throws UsageError
 * ```
 */
export function assertJobId(id: unknown): string {
  if (typeof id === "string" && JOB_ID_PATTERN.test(id)) return id;
  if (id === "." || id === "..") {
    throw new UsageError(
      `job id must not be "." or "..", which a URL path cannot name, got "${id}"`,
    );
  }
  throw new UsageError(
    `job id must be 1-128 characters of A-Z a-z 0-9 . _ : -, got ${showValue(id, 40)}`,
  );
}

/** The longest job id, in characters (the bound of {@linkcode JOB_ID_PATTERN}). */
const MAX_ID_CHARS = 128;

/**
 * Returns `id` when it is short enough to name a job, else throws UsageError (pure). A lookup by
 * a much longer id would reach Deno KV as a key past its size limit, and that refusal (a
 * LimitError, exit 1) would read as queuectl's failure instead of a mistyped argument. Any
 * shorter id is left to the lookup, which finds nothing when no job has it.
 *
 * @example
 * ```ts
 * assertLookupId("nightly-backup"); // "nightly-backup"
 * assertLookupId("has space"); // "has space" (then not found)
 * assertLookupId("x".repeat(3000)); // throws UsageError
 * ```
 */
export function assertLookupId(id: string): string {
  if (id.length <= MAX_ID_CHARS) return id;
  throw new UsageError(
    `job id must be at most ${MAX_ID_CHARS} characters, got ${id.length} characters ` +
      `starting ${showValue(id, 40)}`,
  );
}

/**
 * The 10-character time part every ULID made at `ms` starts with (pure): all ids made before
 * `ms` sort below it, all made at or after it at or above it.
 *
 * @example
 * ```ts
 * newId(1_795_428_000_000).startsWith(idTimePrefix(1_795_428_000_000)); // true
 * ```
 */
export function idTimePrefix(ms: number): string {
  return encodeTime(Math.max(0, Math.min(Math.floor(ms), MAX_TIME)));
}

let prefixTime = -1;
let prefixText = "";

/**
 * Whether a job's id sorts where its creation time does (pure): it starts with the time part of
 * `createdAt` (an integer ms), as every id newId makes at that time does. Among the `job` keys it
 * then sorts after every job created earlier and before every one created later, and among those
 * of its millisecond by the id itself, as the `created` index does. An id a user picked almost
 * never does, and is listed by creation time through an index entry of its own instead.
 *
 * @example
 * ```ts
 * const now = 1_795_428_000_000;
 * inCreationOrder(newId(now), now); // true
 * inCreationOrder("nightly-backup", now); // false
 * ```
 */
export function inCreationOrder(id: string, createdAt: number): boolean {
  if (!Number.isInteger(createdAt) || createdAt < 0 || createdAt > MAX_TIME) return false;
  // A bulk enqueue creates thousands of jobs in each millisecond: encode its time once.
  if (createdAt !== prefixTime) {
    prefixTime = createdAt;
    prefixText = encodeTime(createdAt);
  }
  return id.startsWith(prefixText);
}

function encodeTime(time: number): string {
  let out = "";
  // Division, not bit shifts: 48-bit times do not fit JavaScript's 32-bit bitwise operators.
  for (let i = 0; i < TIME_LENGTH; i++) {
    out = ALPHABET[time % 32] + out;
    time = Math.floor(time / 32);
  }
  return out;
}

function randomDigits(): number[] {
  // 256 is a multiple of 32, so masking each byte keeps the digits uniform.
  return Array.from(crypto.getRandomValues(new Uint8Array(RANDOM_LENGTH)), (byte) => byte & 31);
}

/** Adds one to a base32 digit array in place; false if it wrapped around to all zeros. */
function increment(digits: number[]): boolean {
  for (let i = digits.length - 1; i >= 0; i--) {
    const digit = digits[i] ?? 0;
    if (digit < 31) {
      digits[i] = digit + 1;
      return true;
    }
    digits[i] = 0;
  }
  return false;
}
