/**
 * The error kinds the CLI maps to exit codes (in `src/cli/exit.ts`), and the kinds of failed
 * operation the web API tells apart (404, 409, a storage limit's 500; `src/web/http_status.ts`).
 * Anything else that escapes is a bug and also exits 1, with one line and no stack trace.
 *
 * @module
 */

/**
 * Bad usage or invalid input: exit code 2, nothing written.
 *
 * @example
 * ```ts
 * throw new UsageError("priority must be an integer from -1000 to 1000, got 5000");
 * ```
 */
export class UsageError extends Error {
  /** @param message one line that names the action and the offending value */
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

/**
 * An operation that could not be done (not found, duplicate id, database unreachable): exit 1.
 *
 * @example
 * ```ts
 * throw new OperationError(`job "a1" not found`);
 * ```
 */
export class OperationError extends Error {
  /** @param message one line that says what failed */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "OperationError";
  }
}

/**
 * The job (or other thing) asked for does not exist: exit 1 on the CLI, 404 from the web API.
 *
 * @example
 * ```ts
 * throw new NotFoundError(`job "a1" not found`);
 * ```
 */
export class NotFoundError extends OperationError {
  /** @param message one line that names what was not found */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "NotFoundError";
  }
}

/**
 * The operation clashes with the current state (a duplicate id, a job in the wrong state for
 * it): exit 1 on the CLI, 409 from the web API.
 *
 * @example
 * ```ts
 * throw new ConflictError(`job "a1" already exists`);
 * ```
 */
export class ConflictError extends OperationError {
  /** @param message one line that says what clashed */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "ConflictError";
  }
}

/**
 * An operation went past a limit of the storage: more checks or mutations, or more bytes, than
 * one atomic operation may hold (the remote limits, enforced everywhere in strict mode), or a
 * key or value larger than Deno KV takes. Input is validated before it reaches the store, so
 * this is queuectl's own failure, not a mistake of the user's: exit 1 on the CLI, 500 from the
 * web API (the same request would hit the same limit again, so it is not a 503). It stays a
 * RangeError, the class these refusals had before, for code that expects one.
 *
 * @example
 * ```ts
 * throw new LimitError("database limit: Value too large (max 65536 bytes)");
 * ```
 */
export class LimitError extends RangeError {
  /** @param message one line that names the limit and by how much it was passed */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "LimitError";
  }
}
