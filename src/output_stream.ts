/**
 * The two output pipes a job's command writes to. The runner names its chunks with it and the
 * store keys them by it, so it lives below both.
 *
 * @module
 */

/**
 * Which captured stream an output chunk belongs to.
 *
 * @example
 * ```ts
 * const stream: OutputStream = "stderr";
 * ```
 */
export type OutputStream = "stdout" | "stderr";
