/**
 * The two error kinds the CLI maps to exit codes (in `src/cli/exit.ts`). Anything else that
 * escapes is a bug and also exits 1, with one line and no stack trace.
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
