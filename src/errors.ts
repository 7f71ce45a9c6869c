/**
 * The two error kinds the CLI maps to exit codes (in `src/cli/exit.ts`), and the two kinds of
 * failed operation the web API tells apart (404, 409; `src/web/http_status.ts`). Anything else
 * that escapes is a bug and also exits 1, with one line and no stack trace.
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
