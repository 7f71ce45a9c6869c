/**
 * `queuectl cancel ID`, `delete ID` and `purge --state S [--older-than 7d]`.
 *
 * @module
 */
import { buildCommand, type Command, type CommandContext } from "@stricli/core";
import { parseDuration } from "../duration.ts";
import { cancelJob } from "../store/cancel.ts";
import { deleteJob, purgeJobs } from "../store/delete.ts";
import type { Context } from "./context.ts";
import { parseState } from "./list.ts";
import { Progress } from "./progress.ts";
import { jobJson } from "./format.ts";
import { optional, positional, required, toggle } from "./params.ts";

/** Builds the `cancel` command. */
export function cancelCommand(ctx: Context): Command<CommandContext> {
  return buildCommand({
    docs: { brief: "cancel a waiting job, or stop a running one" },
    parameters: {
      flags: { json: toggle("print the job as it is now") },
      positional: { kind: "tuple", parameters: [positional("id", "job id")] },
    },
    func: async (flags: { json?: boolean }, id: string) => {
      const job = await cancelJob(await ctx.store({ create: false }), id, { now: Date.now() });
      if (flags.json) return ctx.out(JSON.stringify(jobJson(job)));
      ctx.out(
        job.state === "canceled" ? `${id} canceled` : `${id} is running; its worker will stop it`,
      );
    },
  });
}

/** Builds the `delete` command. */
export function deleteCommand(ctx: Context): Command<CommandContext> {
  return buildCommand({
    docs: { brief: "delete a finished job and its history" },
    parameters: {
      flags: { json: toggle('print {"deleted": ID}') },
      positional: { kind: "tuple", parameters: [positional("id", "job id")] },
    },
    func: async (flags: { json?: boolean }, id: string) => {
      await deleteJob(await ctx.store({ create: false }), id);
      ctx.out(flags.json ? JSON.stringify({ deleted: id }) : `${id} deleted`);
    },
  });
}

/** Builds the `purge` command. */
export function purgeCommand(ctx: Context): Command<CommandContext> {
  return buildCommand({
    docs: { brief: "delete finished jobs of one state, oldest first" },
    parameters: {
      flags: {
        state: required("completed, dead or canceled", "state"),
        olderThan: optional("only jobs that finished longer ago than this, e.g. 7d", "duration"),
        json: toggle('print {"purged": N}'),
      },
      aliases: { s: "state" },
    },
    func: async (flags: { state: string; olderThan?: string; json?: boolean }) => {
      const state = parseState(flags.state);
      const age = flags.olderThan === undefined
        ? undefined
        : parseDuration(flags.olderThan, { name: "--older-than" });
      const progress = new Progress(ctx, "purge");
      const n = await purgeJobs(await ctx.store({ create: false }), {
        state,
        before: age === undefined ? undefined : Date.now() - age,
        onProgress: (d) => progress.update(d),
      });
      progress.done();
      ctx.out(flags.json ? JSON.stringify({ purged: n }) : `purged ${n} job(s)`);
    },
  });
}
