/**
 * A job's environment variables as enqueue takes them (`--env KEY=VALUE`, a spec's `"env"`
 * object, the enqueuing shell's whole environment): the checks, and the one text form that
 * names an environment by its content. Pure; values are secrets, so no message quotes one.
 *
 * @module
 */
import { UsageError } from "./errors.ts";
import { showValue } from "./suggest.ts";

/**
 * Variables for a job: names (POSIX `[A-Za-z_][A-Za-z0-9_]*`) to values.
 *
 * @example
 * ```ts
 * const env: EnvVars = { RUST_LOG: "debug" };
 * ```
 */
export type EnvVars = Record<string, string>;

/**
 * The most bytes of one job environment (names, values and their JSON quoting): 128 KiB, two or
 * three KV values, far above a shell's usual 2–8 KiB.
 *
 * @example
 * ```ts
 * MAX_ENV_BYTES; // 131072
 * ```
 */
export const MAX_ENV_BYTES = 128 * 1024;

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Whether `name` is a POSIX environment variable name (pure).
 *
 * @example
 * ```ts
 * isEnvName("RUST_LOG"); // true
 * isEnvName("1X"); // false
 * ```
 */
export function isEnvName(name: string): boolean {
  return NAME.test(name);
}

/**
 * Reads one `--env KEY=VALUE` into its name and value; the value may be empty or hold `=`.
 * Throws a one-line UsageError (naming the variable, never its value) for text without `=`, an
 * empty or invalid name, or a value that is not valid Unicode or holds NUL.
 *
 * @example
 * ```ts
 * parseEnvAssignment("A=b=c"); // ["A", "b=c"]
 * ```
 */
export function parseEnvAssignment(text: string): [string, string] {
  const at = text.indexOf("=");
  if (at < 0) {
    throw new UsageError(`--env takes KEY=VALUE, got ${showValue(text, 40)} without "="`);
  }
  const name = text.slice(0, at);
  const value = text.slice(at + 1);
  checkEntry(name, value);
  return [name, value];
}

/**
 * Checks a spec's `"env"` field: an object of string values under POSIX names, at most
 * {@linkcode MAX_ENV_BYTES} in all. Returns it as {@linkcode EnvVars}; throws UsageError.
 *
 * @example
 * ```ts
 * checkEnvObject({ A: "1" }); // { A: "1" }
 * ```
 */
export function checkEnvObject(value: unknown): EnvVars {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new UsageError(`env must be an object of names to strings, got ${showValue(value, 40)}`);
  }
  for (const [name, v] of Object.entries(value)) {
    if (typeof v !== "string") {
      throw new UsageError(`env ${showValue(name, 40)} must be a string, got a ${typeof v}`);
    }
    checkEntry(name, v);
  }
  return value as EnvVars;
}

/**
 * The canonical text of an environment: JSON of its entries sorted by name, so that equal
 * environments have equal text (its hash names the stored copy). Throws UsageError past
 * {@linkcode MAX_ENV_BYTES}.
 *
 * @example
 * ```ts
 * envText({ B: "2", A: "1" }); // '[["A","1"],["B","2"]]'
 * ```
 */
export function envText(env: EnvVars): string {
  const names = Object.keys(env).sort();
  const text = JSON.stringify(names.map((n) => [n, env[n]]));
  const bytes = text.length * 3 <= MAX_ENV_BYTES ? 0 : new TextEncoder().encode(text).length;
  if (bytes > MAX_ENV_BYTES) {
    throw new UsageError(
      `env must be at most ${MAX_ENV_BYTES} bytes, got ${bytes} bytes in ${names.length} variables`,
    );
  }
  return text;
}

/**
 * The variables of the environment `source` (the enqueuing shell's) that a job can be given:
 * those with a POSIX name and a value without NUL that was UTF-8. Others (bash's exported
 * functions such as `BASH_FUNC_f%%`, bytes Deno read as U+FFFD) are left out rather than
 * refused, as the user did not type them.
 *
 * @example
 * ```ts
 * shellEnv({ HOME: "/root", "BASH_FUNC_f%%": "() { :; }" }); // { HOME: "/root" }
 * ```
 */
export function shellEnv(source: Record<string, string>): EnvVars {
  const out: EnvVars = {};
  for (const [name, value] of Object.entries(source)) {
    if (isEnvName(name) && !value.includes("\0") && !value.includes("\uFFFD")) out[name] = value;
  }
  return out;
}

function checkEntry(name: string, value: string): void {
  if (!isEnvName(name)) {
    throw new UsageError(
      `env name must match [A-Za-z_][A-Za-z0-9_]*, got ${showValue(name, 40)}`,
    );
  }
  // Arguments and input are checked as bytes before (raw_args.ts, ndjson_lines.ts); what is left
  // is a JSON escape of half a surrogate pair, which UTF-8 cannot carry.
  if (!value.isWellFormed()) throw new UsageError(`env ${name} must be valid UTF-8 text`);
  if (value.includes("\0")) throw new UsageError(`env ${name} must not contain a NUL byte`);
}
