/**
 * Telling apart the failures of a KV call: transient SQLite locks (retried), failures of the
 * storage or of a KV Connect server (reported as OperationError, exit 1), Deno KV's size limits
 * (reported as LimitError, exit 1), and programming errors (passed through).
 *
 * @module
 */
import { LimitError, OperationError } from "../errors.ts";

/**
 * True for SQLite's busy/locked errors, which are transient under concurrent writers.
 *
 * @example
 * ```ts
 * isLocked(new Error("database is locked")); // true
 * ```
 */
export function isLocked(err: unknown): boolean {
  const msg = err instanceof Error ? err.message : String(err);
  return /database is locked|SQLITE_BUSY|database table is locked/i.test(msg);
}

/** SQLite's failures of the storage itself, which Deno KV also throws as TypeError. */
function isStorage(err: Error): boolean {
  return /read-only database|disk is full|disk I\/O error|disk image is malformed|unable to open database|not a database/i
    .test(err.message);
}

/** A KV Connect server's refusal or failure (bad token, server error), as Deno reports it. */
function isRemote(err: Error): boolean {
  return /KV Connect|metadata endpoint/i.test(err.message);
}

/** Deno KV's messages for its limits ("Value too large (max 65536 bytes)", "Too many checks…"). */
const KV_LIMIT =
  /^(Key too large|Value too large|Total (mutation|key) size too large|Too many (checks|mutations|ranges|entries|keys))\b/;

/**
 * Deno KV's refusal of a key, a value or an operation past its size limits, as a LimitError, or
 * null for any other error (pure). Deno throws these as TypeErrors, which would otherwise pass
 * for a programming error of ours; they are the storage's limits, like those `Db` enforces.
 *
 * @example
 * ```ts
 * kvLimitError(new TypeError("Value too large (max 65536 bytes)"))?.message;
 * // "database limit: Value too large (max 65536 bytes)"
 * kvLimitError(new TypeError("cannot convert to a KV key")); // null
 * ```
 */
export function kvLimitError(err: unknown): LimitError | null {
  if (!(err instanceof TypeError) || !KV_LIMIT.test(err.message)) return null;
  return new LimitError(`database limit: ${err.message.split("\n")[0]}`, { cause: err });
}

/**
 * The error a caller sees for a failed KV call (pure). Deno KV's size limits become a
 * LimitError. Other programming errors (a RangeError or TypeError of a bad key or value) pass
 * through. Failures of the database (a lock that outlasted the retry, a broken or full disk, a
 * KV Connect server's refusal) become one-line OperationErrors, which the CLI maps to exit 1.
 *
 * @example
 * ```ts
 * wrapKvError(new TypeError("database is locked")); // OperationError "database error: database is locked"
 * ```
 */
export function wrapKvError(err: unknown): unknown {
  const limit = kvLimitError(err);
  if (limit) return limit;
  // Deno KV reports a lock that outlasted SQLite's busy timeout as a TypeError; past our own
  // retry bound it is still a database failure, not a programming error.
  if (
    (err instanceof RangeError || err instanceof TypeError) && !isLocked(err) && !isStorage(err) &&
    !isRemote(err)
  ) {
    return err;
  }
  if (err instanceof Error && !(err instanceof OperationError)) {
    return new OperationError(`database error: ${err.message.split("\n")[0]}`, { cause: err });
  }
  return err;
}

/**
 * True when the database refused a write for want of space or write permission (a full disk, a
 * read-only file or mount). SQLite rolls the transaction back in each case, so nothing of the
 * write is stored and trying the same write again later is safe. A timeout is not one of them:
 * a remote write that timed out may have been applied.
 *
 * @example
 * ```ts
 * import { OperationError } from "../errors.ts";
 * isWriteRefused(new OperationError("database error: database or disk is full")); // true
 * ```
 */
export function isWriteRefused(err: unknown): boolean {
  for (let e = err; e instanceof Error; e = e.cause) {
    if (/disk is full|read-?only database|could only be opened for reading/i.test(e.message)) {
      return true;
    }
  }
  return false;
}
