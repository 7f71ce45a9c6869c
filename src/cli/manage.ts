/**
 * `queuectl cancel ID`, `delete ID` and `purge --state S [--older-than 7d]`.
 *
 * @module
 */
import { Command } from "commander";
import { parseDuration } from "../duration.ts";
import { cancelJob, deleteJob, purgeJobs } from "../store/mod.ts";
import type { Context } from "./context.ts";
import { parseState } from "./list.ts";
import { Progress } from "./progress.ts";
import { jobJson } from "./format.ts";

/** Builds the `cancel` command. */
export function cancelCommand(ctx: Context): Command {
  return new Command("cancel")
    .description("cancel a waiting job, or stop a running one")
    .argument("<id>", "job id")
    .option("--json", "print the job as it is now")
    .action(async (id: string, flags: { json?: boolean }) => {
      const job = await cancelJob(await ctx.store(), id, { now: Date.now() });
      if (flags.json) return ctx.out(JSON.stringify(jobJson(job)));
      ctx.out(
        job.state === "canceled" ? `${id} canceled` : `${id} is running; its worker will stop it`,
      );
    });
}

/** Builds the `delete` command. */
export function deleteCommand(ctx: Context): Command {
  return new Command("delete")
    .description("delete a finished job and its history")
    .argument("<id>", "job id")
    .option("--json", 'print {"deleted": ID}')
    .action(async (id: string, flags: { json?: boolean }) => {
      await deleteJob(await ctx.store(), id);
      ctx.out(flags.json ? JSON.stringify({ deleted: id }) : `${id} deleted`);
    });
}

/** Builds the `purge` command. */
export function purgeCommand(ctx: Context): Command {
  return new Command("purge")
    .description("delete finished jobs of one state, oldest first")
    .requiredOption("-s, --state <state>", "completed, dead or canceled")
    .option("--older-than <duration>", "only jobs that finished longer ago than this, e.g. 7d")
    .option("--json", 'print {"purged": N}')
    .action(async (flags: { state: string; olderThan?: string; json?: boolean }) => {
      const state = parseState(flags.state);
      const age = flags.olderThan === undefined ? undefined : parseDuration(flags.olderThan);
      const progress = new Progress(ctx, "purge");
      const n = await purgeJobs(await ctx.store(), {
        state,
        before: age === undefined ? undefined : Date.now() - age,
        onProgress: (d) => progress.update(d),
      });
      progress.done();
      ctx.out(flags.json ? JSON.stringify({ purged: n }) : `purged ${n} job(s)`);
    });
}
