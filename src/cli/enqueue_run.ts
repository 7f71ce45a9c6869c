/**
 * `queuectl enqueue`: one job from JSON or flags, or many from NDJSON (`--file`, `--file -`).
 * This is the command's parameters and its handler; `enqueue.ts` hands them to the parser. They
 * need no parser, so a plain `enqueue --command …` can run without loading one (B1; see
 * `simple_args.ts`).
 *
 * @module
 */
import { UsageError } from "../errors.ts";
import { parseDecimal } from "../number_text.ts";
import { type JobSpec, parseJobSpec } from "../spec.ts";
import { showValue } from "../suggest.ts";
// The operation files themselves, not the store barrel: a start-up pays for every module it
// loads, and the barrel loads all of the store (B1).
import { enqueueJobs, enqueueMany } from "../store/enqueue.ts";
import { readConfig } from "../store/config_store.ts";
import type { Context } from "./context.ts";
import { jobJson } from "./format.ts";
import { Progress } from "./progress.ts";
import { optional, optionalPositional, toggle } from "./params.ts";

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
  /** `--file`, `-f`. */
  file?: string;
  /** `--json`. */
  json?: boolean;
}

/**
 * The options and arguments of `enqueue`, in the parser's terms.
 *
 * @example
 * ```ts
 * ENQUEUE_PARAMETERS.aliases.c; // "command"
 * ```
 */
export const ENQUEUE_PARAMETERS = {
  flags: {
    command: optional("shell command to run", "cmd"),
    id: optional("job id (1-128 of A-Z a-z 0-9 . _ : -); generated when absent", "id"),
    priority: optional("-1000..1000, higher runs first (default 0)", "n"),
    delay: optional("run after this long: 500ms, 30s, 5m, 2h, 1d", "duration"),
    runAt: optional("run at this time (ISO 8601)", "iso"),
    timeout: optional("kill an attempt after this long", "duration"),
    maxRetries: optional("retries after the first attempt (default: config)", "n"),
    file: optional("read one JSON spec per line; - reads standard input", "path"),
    json: toggle("print the job as JSON"),
  },
  aliases: { c: "command", p: "priority", f: "file" },
  positional: {
    kind: "tuple",
    parameters: [
      optionalPositional("json", `job spec, e.g. '{"command":"echo hi","priority":5}'`),
    ],
  },
} as const;

/**
 * Runs `enqueue` with parsed options and the optional JSON spec; prints the job id (or the
 * count with `--file`).
 *
 * @example
 * ```ts
 * await runEnqueue(ctx, { command: "echo hi" }, undefined);
 * ```
 */
export async function runEnqueue(
  ctx: Context,
  flags: EnqueueFlags,
  json: string | undefined,
): Promise<void> {
  const now = Date.now();
  const specs = flags.file !== undefined
    ? await readSpecFile(flags.file, json, flags, now)
    : [parseJobSpec(mergeFlags(parseJsonArg(json), flags), { now })];
  const store = await ctx.store();
  const config = await readConfig(store);
  const options = { now, maxRetries: config.max_retries };
  if (flags.file === undefined) {
    const [job] = await enqueueJobs(store, specs, options);
    ctx.out(flags.json ? JSON.stringify(jobJson(job!)) : job!.id);
    return;
  }
  const progress = specs.length > 5000 ? new Progress(ctx, "enqueue", specs.length) : null;
  const n = await enqueueMany(store, specs, { ...options, onProgress: (n) => progress?.update(n) });
  progress?.done();
  ctx.out(flags.json ? JSON.stringify({ enqueued: n }) : `enqueued ${n} jobs`);
}

function parseJsonArg(json: string | undefined): Record<string, unknown> {
  if (json === undefined) return {};
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch (err) {
    throw new UsageError(`invalid job JSON: ${(err as Error).message}`);
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new UsageError('invalid job JSON: expected an object like {"command":"echo hi"}');
  }
  return value as Record<string, unknown>;
}

/** Flags override the JSON spec's fields; numbers given as text are read as numbers. */
function mergeFlags(spec: Record<string, unknown>, flags: EnqueueFlags): Record<string, unknown> {
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
  if ("delay" in out && "run_at" in out && flags.delay !== undefined) delete out.run_at;
  if ("delay" in out && "run_at" in out && flags.runAt !== undefined) delete out.delay;
  return out;
}

async function readSpecFile(
  path: string,
  json: string | undefined,
  flags: EnqueueFlags,
  now: number,
): Promise<JobSpec[]> {
  if (json !== undefined || flags.command !== undefined || flags.id !== undefined) {
    throw new UsageError("--file cannot be combined with a JSON argument, --command or --id");
  }
  let text: string;
  try {
    text = path === "-"
      ? await new Response(Deno.stdin.readable).text()
      : await Deno.readTextFile(path);
  } catch (err) {
    throw new UsageError(`cannot read ${path}: ${(err as Error).message.split("\n")[0]}`);
  }
  const specs: JobSpec[] = [];
  const lines = text.split("\n");
  // Most files come without flags to apply: no copy of each line's fields then.
  const plain = flags.priority === undefined && flags.delay === undefined &&
    flags.runAt === undefined && flags.timeout === undefined && flags.maxRetries === undefined;
  for (const [i, raw] of lines.entries()) {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) continue;
    try {
      const fields = parseJsonArg(line);
      specs.push(parseJobSpec(plain ? fields : mergeFlags(fields, flags), { now }));
    } catch (err) {
      if (err instanceof UsageError) throw new UsageError(`line ${i + 1}: ${err.message}`);
      throw err;
    }
  }
  if (specs.length === 0) {
    throw new UsageError(`no job specs in ${path === "-" ? "standard input" : path}`);
  }
  return specs;
}
