/**
 * `queuectl dlq list | retry ID | retry --all | purge`: the Dead Letter Queue.
 *
 * @module
 */
import { Command } from "commander";
import { UsageError } from "../errors.ts";
import { listJobs, purgeJobs, retryAllDead, retryDead } from "../store/mod.ts";
import type { Context } from "./context.ts";
import { jobJson } from "./format.ts";
import { parseLimit, printJobs } from "./list.ts";
import { Progress } from "./progress.ts";

/** Builds the `dlq` command group. */
export function dlqCommand(ctx: Context): Command {
  const cmd = new Command("dlq").description("the Dead Letter Queue: jobs whose retries are spent");
  cmd.command("list")
    .description("list dead jobs")
    .option("-l, --limit <n>", "at most this many (1-1000)", "100")
    .option("--json", "print a JSON array")
    .action(async (flags: { limit: string; json?: boolean }) => {
      const page = await listJobs(await ctx.store(), {
        state: "dead",
        limit: parseLimit(flags.limit),
      });
      if (flags.json) return ctx.out(JSON.stringify(page.jobs.map(jobJson)));
      printJobs(ctx, page.jobs);
    });
  cmd.command("retry")
    .description("move a dead job (or all of them) back to pending, with fresh attempts")
    .argument("[id]", "job id")
    .option("--all", "retry every dead job")
    .option("--json", 'print the requeued job, or {"requeued": N} with --all')
    .action(async (id: string | undefined, flags: { all?: boolean; json?: boolean }) => {
      if ((id === undefined) === !flags.all) {
        throw new UsageError("dlq retry takes a job id or --all");
      }
      const store = await ctx.store();
      if (id !== undefined) {
        const job = await retryDead(store, id, { now: Date.now() });
        return ctx.out(flags.json ? JSON.stringify(jobJson(job)) : `${job.id} requeued`);
      }
      const progress = new Progress(ctx, "retry");
      const n = await retryAllDead(store, {
        now: Date.now(),
        onProgress: (d) => progress.update(d),
      });
      progress.done();
      ctx.out(flags.json ? JSON.stringify({ requeued: n }) : `requeued ${n} job(s)`);
    });
  cmd.command("purge")
    .description("delete every dead job and its history")
    .option("--json", 'print {"purged": N}')
    .action(async (flags: { json?: boolean }) => {
      const progress = new Progress(ctx, "purge");
      const n = await purgeJobs(await ctx.store(), {
        state: "dead",
        onProgress: (d) => progress.update(d),
      });
      progress.done();
      ctx.out(flags.json ? JSON.stringify({ purged: n }) : `purged ${n} job(s)`);
    });
  return cmd;
}
