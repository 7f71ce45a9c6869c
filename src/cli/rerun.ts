/**
 * `queuectl release ID` and `retry ID`: one job each, through the store's single-job operations.
 *
 * @module
 */
import { buildCommand, type Command, type CommandContext } from "@stricli/core";
import type { Job } from "../job.ts";
import { releaseJob, retryJob } from "../store/rerun.ts";
import type { Store } from "../store/open.ts";
import type { Context } from "./context.ts";
import { jobJson } from "./format.ts";
import { positional, toggle } from "./params.ts";

/** Builds the `release` command. */
export function releaseCommand(ctx: Context): Command<CommandContext> {
  return oneJob(ctx, {
    brief: "let a held job run (or wait on its dependencies)",
    run: releaseJob,
  });
}

/** Builds the `retry` command. */
export function retryCommand(ctx: Context): Command<CommandContext> {
  return oneJob(ctx, {
    brief: "run a completed, dead or canceled job again, its history kept",
    run: retryJob,
  });
}

/** A command on one job id that prints `ID is now STATE`, or the job with `--json`. */
function oneJob(
  ctx: Context,
  command: {
    brief: string;
    run: (store: Store, id: string, options: { now: number }) => Promise<Job>;
  },
): Command<CommandContext> {
  return buildCommand({
    docs: { brief: command.brief },
    parameters: {
      flags: { json: toggle("print the job as it is now") },
      positional: { kind: "tuple", parameters: [positional("id", "job id")] },
    },
    func: async (flags: { json?: boolean }, id: string) => {
      const store = await ctx.store({ create: false });
      const job = await command.run(store, id, { now: Date.now() });
      ctx.out(flags.json ? JSON.stringify(jobJson(job)) : `${id} is now ${job.state}`);
    },
  });
}
