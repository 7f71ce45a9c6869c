/**
 * `queuectl queue list | set NAME | pause NAME | resume NAME`: named queues, their limits and
 * their pause (see `queue.ts` and `store/queue_registry.ts`).
 *
 * @module
 */
import { buildCommand, buildRouteMap, type CommandContext, type RouteMap } from "@stricli/core";
import { OperationError, UsageError } from "../errors.ts";
import { queueJson } from "../json_view.ts";
import {
  assertQueueName,
  DEFAULT_QUEUE,
  formatRate,
  parseConcurrency,
  parseRate,
  type QueueSettings,
} from "../queue.ts";
import { listQueues } from "../store/queue_read.ts";
import { updateQueue } from "../store/queue_registry.ts";
import type { Context } from "./context.ts";
import { table } from "./format.ts";
import { optional, positional, toggle } from "./params.ts";

const NAME = { kind: "tuple", parameters: [positional("name", "queue name")] } as const;

/** Builds the `queue` command group. */
export function queueCommand(ctx: Context): RouteMap<CommandContext> {
  return buildRouteMap({
    docs: { brief: "named queues: counts, concurrency limits, rates, pause and resume" },
    routes: {
      list: buildCommand({
        docs: { brief: "list queues: counts, running jobs, limit, rate, paused" },
        parameters: { flags: { json: toggle("print a JSON array") } },
        func: (flags: { json?: boolean }) => list(ctx, flags),
      }),
      set: buildCommand({
        docs: { brief: "set a queue's concurrency limit and start rate (on all hosts)" },
        parameters: {
          flags: {
            concurrency: optional("at most N of its jobs run at once, or none", "n|none"),
            rate: optional("at most N starts per period, e.g. 10/1m, or none", "N/duration|none"),
          },
          positional: NAME,
        },
        func: (flags: { concurrency?: string; rate?: string }, name: string) =>
          set(ctx, name, flags),
      }),
      pause: buildCommand({
        docs: { brief: "start no new job of the queue; running ones finish" },
        parameters: { positional: NAME },
        func: (_flags: Record<never, never>, name: string) => pause(ctx, name, true),
      }),
      resume: buildCommand({
        docs: { brief: "let the queue's jobs start again" },
        parameters: { positional: NAME },
        func: (_flags: Record<never, never>, name: string) => pause(ctx, name, false),
      }),
    },
  });
}

async function list(ctx: Context, flags: { json?: boolean }): Promise<void> {
  const queues = await listQueues(await ctx.store({ create: false }));
  if (flags.json) return ctx.out(JSON.stringify(queues.map(queueJson)));
  ctx.out(table(
    ["QUEUE", "STATE", "PENDING", "RUNNING", "WAITING", "COMPLETED", "DEAD", "LIMIT", "RATE"],
    queues.map(({ settings: s, counts: c }) => [
      s.name,
      s.paused ? "paused" : "active",
      String(c.pending),
      String(c.processing),
      // Not runnable yet: held, blocked, scheduled, or a failed job's retry waiting.
      String(c.held + c.blocked + c.scheduled + c.failed),
      String(c.completed),
      String(c.dead),
      s.concurrency === null ? "-" : String(s.concurrency),
      s.rate === null ? "-" : formatRate(s.rate),
    ]),
  ));
}

async function set(
  ctx: Context,
  text: string,
  flags: { concurrency?: string; rate?: string },
): Promise<void> {
  const name = assertQueueName(text);
  if (flags.concurrency === undefined && flags.rate === undefined) {
    throw new UsageError("queue set takes --concurrency N|none and/or --rate N/DURATION|none");
  }
  // Both are read before anything is opened: bad input writes nothing.
  const concurrency = flags.concurrency === undefined
    ? undefined
    : parseConcurrency(flags.concurrency);
  const rate = flags.rate === undefined ? undefined : parseRate(flags.rate);
  const store = await ctx.store();
  const after = await updateQueue(store, name, (s) => ({
    ...s,
    ...(concurrency === undefined ? {} : { concurrency }),
    ...(rate === undefined ? {} : { rate }),
  }), { now: Date.now() });
  ctx.out(describe(after));
}

async function pause(ctx: Context, text: string, paused: boolean): Promise<void> {
  const name = assertQueueName(text);
  const store = await ctx.store({ create: name === DEFAULT_QUEUE }).catch((err) => {
    // No database holds no queue: a named one is then unknown, bad input like any other.
    const missing = err instanceof OperationError &&
      (err.cause instanceof Deno.errors.NotFound || err.cause instanceof Deno.errors.NotADirectory);
    throw missing ? new UsageError(`unknown queue "${name}" (see queuectl queue list)`) : err;
  });
  const after = await updateQueue(store, name, (s) => ({ ...s, paused }), {
    now: Date.now(),
    mustExist: true,
  });
  ctx.out(describe(after));
}

/** One line: `build: paused, concurrency 2, rate 10/1m`. */
function describe(s: QueueSettings): string {
  const limit = s.concurrency === null ? "none" : String(s.concurrency);
  const rate = s.rate === null ? "none" : formatRate(s.rate);
  return `${s.name}: ${s.paused ? "paused" : "active"}, concurrency ${limit}, rate ${rate}`;
}
