/**
 * `queuectl dlq list | retry ID | retry --all | purge`: the Dead Letter Queue.
 *
 * @module
 */
import { buildCommand, buildRouteMap, type CommandContext, type RouteMap } from "@stricli/core";
import { UsageError } from "../errors.ts";
import { listJobs } from "../store/query.ts";
import { purgeJobs } from "../store/delete.ts";
import { retryAllDead, retryDead } from "../store/dlq.ts";
import type { Context } from "./context.ts";
import { jobJson } from "./format.ts";
import { parseLimit, printJobs } from "./list.ts";
import { Progress } from "./progress.ts";
import { optionalPositional, toggle, withDefault } from "./params.ts";

/** Builds the `dlq` command group. */
export function dlqCommand(ctx: Context): RouteMap<CommandContext> {
  return buildRouteMap({
    docs: { brief: "the Dead Letter Queue: jobs whose retries are spent" },
    routes: {
      list: buildCommand({
        docs: { brief: "list dead jobs" },
        parameters: {
          flags: {
            limit: withDefault("at most this many (1-1000)", "n", "100"),
            json: toggle("print a JSON array"),
          },
          aliases: { l: "limit" },
        },
        func: async (flags: { limit: string; json?: boolean }) => {
          const limit = parseLimit(flags.limit); // Bad input is told before a missing database.
          const page = await listJobs(await ctx.store({ create: false }), { state: "dead", limit });
          if (flags.json) return ctx.out(JSON.stringify(page.jobs.map(jobJson)));
          printJobs(ctx, page.jobs);
        },
      }),
      retry: buildCommand({
        docs: { brief: "move a dead job (or all of them) back to pending, with fresh attempts" },
        parameters: {
          flags: {
            all: toggle("retry every dead job"),
            json: toggle('print the requeued job, or {"requeued": N} with --all'),
          },
          positional: { kind: "tuple", parameters: [optionalPositional("id", "job id")] },
        },
        func: async (flags: { all?: boolean; json?: boolean }, id: string | undefined) => {
          if ((id === undefined) === !flags.all) {
            throw new UsageError("dlq retry takes a job id or --all");
          }
          const store = await ctx.store({ create: false });
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
        },
      }),
      purge: buildCommand({
        docs: { brief: "delete every dead job and its history" },
        parameters: { flags: { json: toggle('print {"purged": N}') } },
        func: async (flags: { json?: boolean }) => {
          const progress = new Progress(ctx, "purge");
          const n = await purgeJobs(await ctx.store({ create: false }), {
            state: "dead",
            onProgress: (d) => progress.update(d),
          });
          progress.done();
          ctx.out(flags.json ? JSON.stringify({ purged: n }) : `purged ${n} job(s)`);
        },
      }),
    },
  });
}
