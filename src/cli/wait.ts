/**
 * `queuectl wait ID...`: blocks until the jobs end and exits with their outcome (see
 * `wait_code.ts`). `waitAndExit` is shared with `enqueue --wait`.
 *
 * @module
 */
import { buildCommand, type Command, type CommandContext } from "@stricli/core";
import { NotFoundError, UsageError } from "../errors.ts";
import { parseDuration } from "../duration.ts";
import { assertLookupId } from "../ids.ts";
import { FINAL_STATES, type Job } from "../job.ts";
import type { Store } from "../store/open.ts";
import { readJobs, waitJobs } from "../store/wait_jobs.ts";
import type { Context } from "./context.ts";
import { CommandExit, EXIT } from "./exit.ts";
import { optional, toggle } from "./params.ts";
import { jobExitCode, waitExitCode } from "./wait_code.ts";

interface WaitFlags {
  timeout?: string;
  any?: boolean;
  json?: boolean;
}

/** Builds the `wait` command. */
export function waitCommand(ctx: Context): Command<CommandContext> {
  return buildCommand({
    docs: {
      brief: "wait until jobs end; exit with the job's code (one job) or 0 if all completed",
    },
    parameters: {
      flags: {
        timeout: optional(`give up after this long (exit ${EXIT.timedOut})`, "duration"),
        any: toggle("return when the first of the jobs ends"),
        json: toggle("print each job's outcome as one JSON line"),
      },
      positional: {
        kind: "array",
        parameter: { brief: "job ids", placeholder: "id", parse: String },
        minimum: 1,
      },
    },
    func: async (flags: WaitFlags, ...ids: string[]) => {
      const timeoutMs = parseTimeout(flags.timeout);
      for (const id of ids) assertLookupId(id);
      const store = await ctx.store({ create: false });
      // Every id must exist before anything waits.
      const missing = (await readJobs(store, ids)).findIndex((job) => job === null);
      if (missing >= 0) throw new NotFoundError(`job "${ids[missing]}" not found`);
      await waitAndExit(ctx, store, ids, { ...flags, timeoutMs });
    },
  });
}

/**
 * Reads `--timeout`: a duration, or a UsageError (exit 2).
 *
 * @example
 * ```ts
 * parseTimeout("5s"); // 5000
 * parseTimeout(undefined); // null: no limit
 * ```
 */
export function parseTimeout(text: string | undefined): number | null {
  if (text === undefined) return null;
  try {
    return parseDuration(text);
  } catch {
    throw new UsageError(`--timeout must be a duration such as 30s or 5m, got "${text}"`);
  }
}

/**
 * Waits for the jobs `ids`, prints their outcomes with `json`, and ends the command with the
 * wait's exit code: returns for 0, else throws a {@linkcode CommandExit}.
 *
 * @example
 * ```ts
 * import type { Context } from "./context.ts";
 * import type { Store } from "../store/open.ts";
 * declare const ctx: Context;
 * declare const store: Store;
 * await waitAndExit(ctx, store, ["a1"], { timeoutMs: 60_000 });
 * ```
 */
export async function waitAndExit(
  ctx: Context,
  store: Store,
  ids: readonly string[],
  options: { any?: boolean; json?: boolean; timeoutMs: number | null },
): Promise<void> {
  const signal = options.timeoutMs === null ? undefined : AbortSignal.timeout(options.timeoutMs);
  const jobs = await waitJobs(store, ids, { any: options.any, signal, pollMs: pollMs() });
  if (options.json) {
    jobs.forEach((job, i) => ctx.out(JSON.stringify(outcomeJson(ids[i]!, job))));
  }
  const code = waitExitCode(jobs, options);
  if (code === EXIT.ok) return;
  const gone = jobs.findIndex((j) => j === null);
  const line = code === EXIT.timedOut
    ? `timed out after ${options.timeoutMs! / 1000}s waiting for ${ids.length} job(s)`
    : gone >= 0 && ids.length === 1
    ? `job "${ids[gone]}" was deleted while waited on`
    : null;
  throw new CommandExit(code, line);
}

/**
 * The fallback poll: a ring or a watch event normally wakes the wait first. Env
 * `QUEUECTL_WAIT_POLL` (a duration) sets it; the tests lengthen it to show they are not polled.
 */
function pollMs(): number {
  const text = Deno.env.get("QUEUECTL_WAIT_POLL");
  if (!text) return 1000;
  try {
    return Math.max(10, parseDuration(text));
  } catch {
    throw new UsageError(`QUEUECTL_WAIT_POLL must be a duration such as 1s, got "${text}"`);
  }
}

/** One job's outcome as `--json` prints it. */
function outcomeJson(id: string, job: Job | null): Record<string, unknown> {
  if (!job) return { id, state: "deleted", exit_code: null, exit: EXIT.failed };
  return {
    id,
    state: job.state,
    exit_code: job.exit_code,
    exit: FINAL_STATES.includes(job.state) ? jobExitCode(job) : null,
    runs: job.runs,
    last_error: job.last_error,
    finished_at: job.finished_at === null ? null : new Date(job.finished_at).toISOString(),
  };
}
