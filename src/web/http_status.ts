/**
 * The one place errors become HTTP statuses, mirroring `src/cli/exit.ts`: bad input 400, not
 * found 404, a clash with the current state 409, any other failed operation 503, a storage
 * limit 500 with its line (logged too, as it is the program's failure and asking again would
 * hit it again), and anything unexpected 500 with a fixed line (the details go to the log,
 * never to the client).
 *
 * @module
 */
import { ConflictError, LimitError, NotFoundError, OperationError, UsageError } from "../errors.ts";

/** A refusal the web layer itself raises (bad Origin, too large a body…), with its status. */
export class HttpError extends Error {
  /** The HTTP status to answer with. */
  readonly status: number;
  /** @param status the HTTP status; @param message one line for the client */
  constructor(status: number, message: string) {
    super(message);
    this.name = "HttpError";
    this.status = status;
  }
}

/**
 * The status and the one line to answer for an error thrown while handling a request (pure).
 * `expected` is false for bugs and storage limits, which the caller logs in full.
 *
 * @example
 * ```ts
 * import { LimitError, NotFoundError } from "../errors.ts";
 * statusFor(new NotFoundError('job "a1" not found')); // { status: 404, message: ..., expected: true }
 * statusFor(new LimitError("database limit: Value too large (max 65536 bytes)")).status; // 500
 * ```
 */
export function statusFor(err: unknown): { status: number; message: string; expected: boolean } {
  const line = (e: Error) => e.message.split("\n")[0]!.trim();
  if (err instanceof HttpError) return { status: err.status, message: line(err), expected: true };
  if (err instanceof UsageError) return { status: 400, message: line(err), expected: true };
  if (err instanceof LimitError) return { status: 500, message: line(err), expected: false };
  if (err instanceof NotFoundError) return { status: 404, message: line(err), expected: true };
  if (err instanceof ConflictError) return { status: 409, message: line(err), expected: true };
  if (err instanceof OperationError) return { status: 503, message: line(err), expected: true };
  return { status: 500, message: "internal error (see the server log)", expected: false };
}
