/**
 * `queuectl cancel ID`, `delete ID` and `purge --state S [--older-than 7d]`.
 *
 * @module
 */
import { buildCommand, type Command, type CommandContext } from "@stricli/core";
import { parseDuration } from "../duration.ts";
import { cancelJob, cancelJobs } from "../store/cancel.ts";
import { deleteJob, deleteJobs, purgeJobs } from "../store/delete.ts";
import { retryJob, retryJobs } from "../store/retry.ts";
import { releaseJob, releaseJobs } from "../store/release.ts";
import { bulkCommand, jobs } from "./bulk_command.ts";
import type { Context } from "./context.ts";
import { parseState } from "./list.ts";
import { Progress } from "./progress.ts";
import { jobJson } from "./format.ts";
import { optional, required, toggle } from "./params.ts";

/** Builds the `cancel` command. */
export function cancelCommand(ctx: Context): Command<CommandContext> {
  return bulkCommand(ctx, {
    name: "cancel",
    brief: "cancel waiting jobs, or stop running ones: by id, --state, --label or --all",
    one: async (store, id, now) => {
      const job = await cancelJob(store, id, { now });
      const text = job.state === "canceled"
        ? `${id} canceled`
        : `${id} is running; its worker will stop it`;
      return { text, json: jobJson(job) };
    },
    many: cancelJobs,
    summary: (r) => {
      const canceled = r.byState.canceled ?? 0;
      const stopping = r.byState.processing ?? 0;
      const parts = [`${jobs(canceled)} canceled`];
      if (stopping > 0) parts.push(`${stopping} running: their workers will stop them`);
      if (r.skipped > 0) parts.push(`${r.skipped} skipped (finished, or already stopping)`);
      return {
        text: parts.join("; "),
        json: { canceled, stopping, skipped: r.skipped },
      };
    },
  });
}

/** Builds the `delete` command. */
export function deleteCommand(ctx: Context): Command<CommandContext> {
  return bulkCommand(ctx, {
    name: "delete",
    brief: "delete finished jobs and their history: by id, --state, --label or --all",
    one: async (store, id) => {
      await deleteJob(store, id);
      return { text: `${id} deleted`, json: { deleted: id } };
    },
    many: (store, selection, options) => deleteJobs(store, selection, options),
    summary: (r) => {
      const deleted = r.byState.deleted ?? 0;
      const skip = r.skipped > 0 ? `; ${r.skipped} skipped (not finished: cancel them first)` : "";
      return { text: `${jobs(deleted)} deleted${skip}`, json: { deleted, skipped: r.skipped } };
    },
  });
}

/** Builds the `retry` command. */
export function retryCommand(ctx: Context): Command<CommandContext> {
  return bulkCommand(ctx, {
    name: "retry",
    brief: "re-run finished jobs (completed, dead, canceled) with fresh attempts, history kept",
    one: async (store, id, now) => {
      const job = await retryJob(store, id, { now });
      return { text: `${id} is now ${job.state}`, json: jobJson(job) };
    },
    many: retryJobs,
    summary: (r) => {
      const skip = r.skipped > 0 ? `; ${r.skipped} skipped (not finished)` : "";
      return {
        text: `${jobs(r.changed)} requeued${skip}`,
        json: { requeued: r.changed, skipped: r.skipped },
      };
    },
  });
}

/** Builds the `release` command. */
export function releaseCommand(ctx: Context): Command<CommandContext> {
  return bulkCommand(ctx, {
    name: "release",
    brief: "let held jobs run (or wait on their dependencies)",
    one: async (store, id, now) => {
      const job = await releaseJob(store, id, { now });
      return { text: `${id} is now ${job.state}`, json: jobJson(job) };
    },
    many: releaseJobs,
    summary: (r) => {
      const skip = r.skipped > 0 ? `; ${r.skipped} skipped (not held)` : "";
      return {
        text: `${jobs(r.changed)} released${skip}`,
        json: { released: r.changed, skipped: r.skipped },
      };
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
