/**
 * What `enqueue` builds a spec from, before `parseJobSpec` validates it: the options as typed,
 * and a JSON spec's fields with the options laid over them. Shared by one job and by each line
 * of `--file`.
 *
 * @module
 */
import { UsageError } from "../errors.ts";
import { parseDecimal } from "../number_text.ts";
import { showValue } from "../suggest.ts";
import { parseLabels } from "../labels.ts";

/** The options of `enqueue`, as the parser hands them over (every value as typed). */
export interface EnqueueFlags {
  /** `--command`, `-c`. */
  command?: string;
  /** `--id`. */
  id?: string;
  /** `--priority`, `-p`. */
  priority?: string;
  /** `--delay`. */
  delay?: string;
  /** `--run-at`. */
  runAt?: string;
  /** `--timeout`. */
  timeout?: string;
  /** `--max-retries`. */
  maxRetries?: string;
  /** `--label`, repeatable: `key=value`. */
  label?: readonly string[];
  /** `--wait`: wait for the job to end and exit with its code (`wait.ts`). */
  wait?: boolean;
  /** `--after`: comma-separated ids. */
  after?: string;
  /** `--hold`. */
  hold?: boolean;
  /** `--file`, `-f`. */
  file?: string;
  /** `--json`. */
  json?: boolean;
  /** `--cwd`: the job's folder (relative to the caller's). */
  cwd?: string;
  /** `--env`, each `KEY=VALUE`. */
  env?: readonly string[];
  /** `--env-all`: the calling shell's whole environment. */
  envAll?: boolean;
  /** `--lines`: `--file` holds one shell command per line. */
  lines?: boolean;
  /** `--unique-key`. */
  uniqueKey?: string;
  /** `--unique-for`: a duration. */
  uniqueFor?: string;
  /** `--queue`: the named queue. */
  queue?: string;
}

/**
 * Parses the JSON text of a spec (the argument, or a line of a file) into its fields, or throws
 * a one-line UsageError; nothing is validated yet. No text is no fields.
 *
 * @example
 * ```ts
 * parseJsonArg('{"command":"echo hi"}'); // { command: "echo hi" }
 * ```
 */
export function parseJsonArg(json: string | undefined): Record<string, unknown> {
  if (json === undefined) return {};
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch (err) {
    // `{ make; make test; }` is a shell group: say where such a command goes.
    throw new UsageError(
      `invalid job JSON: ${
        (err as Error).message
      } (a shell command that starts with { goes in --command)`,
    );
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new UsageError('invalid job JSON: expected an object like {"command":"echo hi"}');
  }
  return value as Record<string, unknown>;
}

/**
 * The fields of `enqueue`'s positional argument: text that starts with `{` is a JSON spec
 * (exactly: no leading whitespace, so `' {x'` is a command), any other text is a shell command,
 * as `--command` gives it (which it may then not be given with).
 *
 * @example
 * ```ts
 * argFields("make test", {}); // { command: "make test" }
 * argFields('{"command":"make"}', {}); // { command: "make" }
 * ```
 */
export function argFields(arg: string | undefined, flags: EnqueueFlags): Record<string, unknown> {
  if (arg === undefined || arg.startsWith("{")) return parseJsonArg(arg);
  if (flags.command !== undefined) {
    throw new UsageError(
      `enqueue takes a command as its argument or as --command, not both, got ` +
        `${showValue(arg, 40)} and --command ${showValue(flags.command, 40)}`,
    );
  }
  return { command: arg };
}

/**
 * The ids of `--after ID[,ID…]`; an empty list or an empty id between commas is refused.
 *
 * @example
 * ```ts
 * afterIds("a1,b2"); // ["a1", "b2"]
 * ```
 */
export function afterIds(text: string): string[] {
  const ids = text.split(",");
  if (ids.some((id) => id === "")) {
    throw new UsageError(`--after takes job ids separated by commas, got ${showValue(text, 40)}`);
  }
  return ids;
}

/**
 * The spec's fields with the flags laid over them; numbers given as text are read as numbers
 * (by `number_text.ts`'s rule), and other text goes on for `parseJobSpec` to refuse.
 *
 * @example
 * ```ts
 * mergeFlags({ command: "make" }, { priority: "5" }); // { command: "make", priority: 5 }
 * ```
 */
export function mergeFlags(
  spec: Record<string, unknown>,
  flags: EnqueueFlags,
): Record<string, unknown> {
  if (flags.delay !== undefined && flags.runAt !== undefined) {
    throw new UsageError(
      `enqueue takes --delay or --run-at, not both, got --delay ${showValue(flags.delay, 40)} ` +
        `and --run-at ${showValue(flags.runAt, 40)}`,
    );
  }
  const out = { ...spec };
  // Text that is no plain number goes on as text, for the spec to refuse with its range.
  const num = (s: string, name: string) => {
    const n = parseDecimal(s, name);
    return Number.isNaN(n) ? s : n;
  };
  if (flags.command !== undefined) out.command = flags.command;
  if (flags.id !== undefined) out.id = flags.id;
  if (flags.priority !== undefined) out.priority = num(flags.priority, "--priority");
  if (flags.delay !== undefined) out.delay = flags.delay;
  if (flags.runAt !== undefined) out.run_at = flags.runAt;
  if (flags.timeout !== undefined) out.timeout = flags.timeout;
  if (flags.maxRetries !== undefined) out.max_retries = num(flags.maxRetries, "--max-retries");
  if (flags.label !== undefined && flags.label.length > 0) {
    const own = spec.labels;
    const isObject = typeof own === "object" && own !== null && !Array.isArray(own);
    // A spec's labels that are no object stay as they are, for the spec to refuse.
    if (own === undefined || own === null || isObject) {
      out.labels = Object.fromEntries([
        ...Object.entries(isObject ? own : {}),
        ...Object.entries(parseLabels(flags.label) ?? {}),
      ]);
    }
  }
  if (flags.cwd !== undefined) out.cwd = flags.cwd;
  if (flags.after !== undefined) out.after = afterIds(flags.after);
  if (flags.hold) out.hold = true;
  if (flags.uniqueKey !== undefined) out.unique_key = flags.uniqueKey;
  if (flags.uniqueFor !== undefined) out.unique_for = flags.uniqueFor;
  if (flags.queue !== undefined) out.queue = flags.queue;
  if ("delay" in out && "run_at" in out && flags.delay !== undefined) delete out.run_at;
  if ("delay" in out && "run_at" in out && flags.runAt !== undefined) delete out.delay;
  return out;
}
