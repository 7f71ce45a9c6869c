/**
 * `queuectl show ID`: one job and its attempt history.
 *
 * @module
 */
import { buildCommand, type Command, type CommandContext } from "@stricli/core";
import { OperationError } from "../errors.ts";
import { getJob, listAttempts } from "../store/query.ts";
import { readEnv } from "../store/env_blob.ts";
import type { Context } from "./context.ts";
import { attemptJson, jobJson, table, when } from "./format.ts";
import { positional, toggle } from "./params.ts";

/** Builds the `show` command. */
export function showCommand(ctx: Context): Command<CommandContext> {
  return buildCommand({
    docs: { brief: "show one job with its attempt history" },
    parameters: {
      flags: {
        json: toggle("print the job object, history under `history`"),
        env: toggle("also print the job's environment variables with their values (secrets)"),
      },
      positional: { kind: "tuple", parameters: [positional("id", "job id")] },
    },
    func: async (flags: { json?: boolean; env?: boolean }, id: string) => {
      const store = await ctx.store({ create: false });
      const job = await getJob(store, id);
      if (!job) throw new OperationError(`job "${id}" not found`);
      const history = await listAttempts(store, id);
      // The values are secrets: only `--env` prints them; without it, the names alone.
      const env = job.env ? await readEnv(store, job.env) : null;
      const missing = job.env ? env === null : false;
      const names = env === null ? [] : Object.keys(env).sort();
      const j = { ...jobJson(job), env_names: missing ? null : names };
      if (flags.json) {
        const shown = flags.env ? { ...j, env: env ?? {} } : j;
        return ctx.out(JSON.stringify({ ...shown, history: history.map(attemptJson) }));
      }
      for (const [k, v] of Object.entries(j)) ctx.out(`${(k + ":").padEnd(18)}${shown(v)}`);
      if (missing) ctx.out(`(environment ${job.env} is missing from the database)`);
      if (flags.env && env !== null) {
        ctx.out("\nenv:");
        for (const name of names) ctx.out(`${name}=${env[name]}`);
      }
      if (history.length === 0) return;
      ctx.out("\nhistory:");
      ctx.out(table(
        ["#", "STARTED", "ENDED", "SECONDS", "OUTCOME", "EXIT", "WORKER", "ERROR"],
        history.map((a) => [
          String(a.n),
          when(a.started_at),
          when(a.finished_at),
          a.duration_ms === null ? "-" : (a.duration_ms / 1000).toFixed(3),
          a.outcome ?? "running",
          a.exit_code === null ? (a.signal ?? "-") : String(a.exit_code),
          a.worker,
          a.error ?? "",
        ]),
      ));
    },
  });
}

/** A field's value on one line: labels as `k=v k=v`, a missing value as `-`. */
function shown(value: unknown): string {
  if (value === null || value === undefined) return "-";
  if (Array.isArray(value)) return value.join(" ") || "-";
  if (typeof value !== "object") return String(value);
  const pairs = Object.entries(value as Record<string, string>).map(([k, v]) => `${k}=${v}`);
  return pairs.length === 0 ? "-" : pairs.join(" ");
}
