/**
 * `queuectl enqueue`: one job from JSON or flags, or many from NDJSON (`--file`, `--file -`).
 * This is the command's parameters and its handler; `enqueue.ts` hands them to the parser. They
 * need no parser, so a plain `enqueue --command …` can run without loading one (B1; see
 * `simple_args.ts`).
 *
 * @module
 */
import { UsageError } from "../errors.ts";
import { parseJobSpec } from "../spec.ts";
// The operation files themselves, not the store barrel: a start-up pays for every module it
// loads, and the barrel loads all of the store (B1).
import { enqueueJobs, enqueueMany } from "../store/enqueue.ts";
import { readConfig } from "../store/config_store.ts";
import type { Context } from "./context.ts";
import { type EnqueueFlags, mergeFlags, parseJsonArg } from "./enqueue_spec.ts";
import { jobJson } from "./format.ts";
import { Progress } from "./progress.ts";
import { optional, optionalPositional, toggle } from "./params.ts";

export type { EnqueueFlags } from "./enqueue_spec.ts";

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
    after: optional("run only after these jobs completed: ID[,ID...]", "ids"),
    hold: toggle("store the job held: it runs only after `release ID`"),
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
 * import type { Context } from "./context.ts";
 * declare const ctx: Context;
 * await runEnqueue(ctx, { command: "echo hi" }, undefined);
 * ```
 */
export async function runEnqueue(
  ctx: Context,
  flags: EnqueueFlags,
  json: string | undefined,
): Promise<void> {
  const now = Date.now();
  if (flags.file !== undefined) return await enqueueFile(ctx, flags.file, { flags, json, now });
  const spec = parseJobSpec(mergeFlags(parseJsonArg(json), flags), { now });
  const store = await ctx.store();
  const config = await readConfig(store);
  const [job] = await enqueueJobs(store, [spec], { now, maxRetries: config.max_retries });
  ctx.out(flags.json ? JSON.stringify(jobJson(job!)) : job!.id);
}

/**
 * `--file`: every line is checked (into a spool) before the store is even opened, then the
 * spool is stored batch by batch.
 */
async function enqueueFile(
  ctx: Context,
  path: string,
  options: { flags: EnqueueFlags; json: string | undefined; now: number },
): Promise<void> {
  const { flags, json, now } = options;
  if (json !== undefined || flags.command !== undefined || flags.id !== undefined) {
    throw new UsageError("--file cannot be combined with a JSON argument, --command or --id");
  }
  // Loaded only here: a single enqueue does not pay for the streaming reader (B1).
  const { checkSpecFile } = await import("./enqueue_file.ts");
  await using checked = await checkSpecFile(path, { flags, now });
  const store = await ctx.store();
  const config = await readConfig(store);
  const total = checked.spool.count;
  const progress = total > 5000 ? new Progress(ctx, "enqueue", total) : null;
  const n = await enqueueMany(store, checked.spool.read(), {
    now,
    maxRetries: config.max_retries,
    callerIds: checked.callerIds,
    afterIds: checked.afterIds,
    onProgress: (n) => progress?.update(n),
  });
  progress?.done();
  ctx.out(flags.json ? JSON.stringify({ enqueued: n }) : `enqueued ${n} jobs`);
}
