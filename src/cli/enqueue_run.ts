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
import type { Job } from "../job.ts";
import { argFields, type EnqueueFlags, mergeFlags } from "./enqueue_spec.ts";
import { jobJson } from "./format.ts";
import { Progress } from "./progress.ts";
import { optional, optionalPositional, repeatable, toggle } from "./params.ts";
import { callEnv, callerCwd, envFlags, resolveCwd } from "./enqueue_call.ts";

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
    label: repeatable("a key=value label, indexed for list, status and bulk commands", "k=v"),
    cwd: optional("run in this folder (default: the current one)", "dir"),
    env: repeatable("set a variable for the job (repeatable)", "KEY=VALUE"),
    envAll: toggle("give the job this shell's whole environment (config capture_env)"),
    after: optional("run only after these jobs completed: ID[,ID...]", "ids"),
    hold: toggle("store the job held: it runs only after `release ID`"),
    uniqueKey: optional("store nothing while a job with this key waits or runs", "key"),
    uniqueFor: optional("with --unique-key: also hold the key this long after enqueue", "duration"),
    queue: optional("put the job in this named queue (default: default)", "name"),
    file: optional("read one JSON spec per line; - reads standard input", "path"),
    lines: toggle("with --file: one shell command per line instead of JSON specs"),
    json: toggle("print the job as JSON (with --file: the ids stored)"),
    wait: toggle("wait until the job ends and exit with its code, as `queuectl wait`"),
  },
  aliases: { c: "command", p: "priority", f: "file" },
  positional: {
    kind: "tuple",
    parameters: [
      optionalPositional(
        "spec",
        `shell command, e.g. 'make test', or a JSON spec: '{"command":"echo hi","priority":5}'`,
      ),
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
import type { Job } from "../job.ts";
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
  envFlags(flags); // Bad --env is refused before anything is opened.
  if (flags.file !== undefined) return await enqueueFile(ctx, flags.file, { flags, json, now });
  if (flags.lines) throw new UsageError("--lines reads commands from --file; give --file too");
  const fields = resolveCwd(mergeFlags(argFields(json, flags), flags), new Set());
  const spec = parseJobSpec(fields, { now });
  const cwd = callerCwd();
  const store = await ctx.store();
  const config = await readConfig(store);
  const env = callEnv(flags, { captureEnv: config.capture_env });
  const options = { now, maxRetries: config.max_retries, cwd, env };
  let job: Job;
  if (spec.unique_key === undefined) [job] = await enqueueJobs(store, [spec], options) as [Job];
  else {
    const { enqueueUnique } = await import("../store/enqueue_unique.ts");
    const outcome = await enqueueUnique(store, spec, options);
    job = outcome.job;
    if (outcome.existing) ctx.err(heldLine(job, spec.unique_key));
  }
  ctx.out(flags.json ? JSON.stringify(jobJson(job)) : job.id);
  if (flags.wait) {
    // Loaded only here: a plain enqueue does not pay for it (B1).
    const { waitAndExit } = await import("./wait.ts");
    await waitAndExit(ctx, store, [job.id], { json: flags.json, timeoutMs: null });
  }
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
  const cwd = callerCwd();
  const store = await ctx.store();
  const config = await readConfig(store);
  const env = callEnv(flags, { captureEnv: config.capture_env });
  const total = checked.spool.count;
  const progress = total > 5000 ? new Progress(ctx, "enqueue", total) : null;
  // With --wait the ids are kept to wait on: about 30 bytes a job.
  const waitFor: string[] = [];
  // `--json`: one JSON object, written as the batches commit, so 100k ids are never all held:
  // `{"enqueued":N,"ids":[…]}` (a failure midway leaves it unclosed, and the exit code says so).
  // With --wait the ids are held anyway, and the object is one line before the outcomes' lines.
  // With unique keys the count is known only at the end: the ids are then held and printed once.
  const streamIds = flags.json && !flags.wait && checked.unique === 0;
  let first = true;
  if (streamIds) ctx.out(`{"enqueued":${total},"ids":[`);
  const n = await enqueueMany(store, checked.spool.read(), {
    now,
    maxRetries: config.max_retries,
    callerIds: checked.callerIds,
    cwd,
    env,
    afterIds: checked.afterIds,
    onProgress: (n) => progress?.update(n),
    onJob: flags.wait || (flags.json && !streamIds) ? (job) => waitFor.push(job.id) : undefined,
    onExisting: (holder, key) => ctx.err(heldLine(holder, key)),
    onIds: !streamIds ? undefined : (ids) => {
      if (ids.length === 0) return;
      ctx.out((first ? "" : ",") + ids.map((id) => JSON.stringify(id)).join(","));
      first = false;
    },
  });
  progress?.done();
  if (streamIds) ctx.out("]}");
  else if (flags.json) ctx.out(JSON.stringify({ enqueued: n, ids: waitFor }));
  else ctx.out(`enqueued ${n} jobs`);
  if (flags.wait && waitFor.length > 0) {
    const { waitAndExit } = await import("./wait.ts");
    await waitAndExit(ctx, store, waitFor, { json: flags.json, timeoutMs: null });
  }
}

/** The stderr line of a unique enqueue that stored nothing. */
function heldLine(holder: Job, key: string): string {
  return `queuectl: job ${holder.id} already holds unique key ${JSON.stringify(key)} ` +
    `(${holder.state}); nothing enqueued`;
}
