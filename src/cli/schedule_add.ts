/**
 * `queuectl schedule add NAME (--cron EXPR [--tz ZONE] | --every DURATION) --command CMD …`:
 * every option is checked before the database is opened, so bad input writes nothing.
 *
 * @module
 */
import { buildCommand, type Command, type CommandContext } from "@stricli/core";
import { UsageError } from "../errors.ts";
import { loadCron, type Schedule, type ScheduleSpec } from "../schedule.ts";
import { assertScheduleName, parseCadence } from "../schedule_input.ts";
import { assertQueueName } from "../queue.ts";
import { cadenceText, scheduleJson } from "../schedule_json.ts";
import { parseJobSpec } from "../spec.ts";
import { addSchedule } from "../store/schedules.ts";
import type { Context } from "./context.ts";
import { callerCwd, resolveCwd } from "./enqueue_call.ts";
import { mergeFlags } from "./enqueue_spec.ts";
import { when } from "./format.ts";
import { optional, positional, repeatable, toggle } from "./params.ts";

/** The options of `schedule add`, as typed. */
export interface ScheduleAddFlags {
  cron?: string;
  every?: string;
  tz?: string;
  command?: string;
  queue?: string;
  priority?: string;
  maxRetries?: string;
  timeout?: string;
  cwd?: string;
  label?: readonly string[];
  catchUp?: boolean;
  json?: boolean;
}

/**
 * The schedule `schedule add` would store, from its name and options (reads only the current
 * folder): every mistake is a one-line UsageError.
 *
 * @example
 * ```ts
 * const s = scheduleFromFlags("tick", { every: "1s", command: "true" }, Date.now());
 * ```
 */
export function scheduleFromFlags(name: string, flags: ScheduleAddFlags, now: number): Schedule {
  assertScheduleName(name);
  const { cadence, first } = parseCadence(flags, now);
  if (flags.command === undefined) throw new UsageError(`schedule add needs --command CMD`);
  const queue = assertQueueName(flags.queue ?? "default");
  // The job's fields are checked exactly as `enqueue` checks them.
  const fields = resolveCwd(mergeFlags({}, flags), new Set());
  const job = parseJobSpec(fields, { now });
  const spec: ScheduleSpec = {
    command: job.command,
    queue,
    priority: job.priority,
    max_retries: job.max_retries ?? null,
    timeout: job.timeout,
    cwd: job.cwd ?? callerCwd(),
  };
  if (job.labels) spec.labels = job.labels;
  return {
    name,
    ...cadence,
    catch_up: flags.catchUp ?? false,
    paused: false,
    spec,
    next_at: first,
    last_at: null,
    last_job: null,
    created_at: now,
    updated_at: now,
  };
}

/** Builds `schedule add`. */
export function scheduleAddCommand(ctx: Context): Command<CommandContext> {
  return buildCommand({
    docs: { brief: "add a recurring schedule: a job enqueued at every tick of --cron or --every" },
    parameters: {
      flags: {
        cron: optional("cron expression, 5 fields (or 6 with seconds first)", "expr"),
        tz: optional("time zone of --cron, e.g. Europe/Berlin (default UTC)", "zone"),
        every: optional("a fixed period instead of --cron: 30s, 10m, 1h, 1d", "duration"),
        command: optional("shell command each job runs", "cmd"),
        queue: optional("the queue the jobs go to (default: default)", "name"),
        priority: optional("-1000..1000, higher runs first (default 0)", "n"),
        maxRetries: optional("retries after the first attempt (default: config)", "n"),
        timeout: optional("kill an attempt after this long", "duration"),
        cwd: optional("run in this folder (default: the current one)", "dir"),
        label: repeatable("a key=value label on every job", "k=v"),
        catchUp: toggle("after downtime, enqueue every missed tick, not only the latest"),
        json: toggle("print the schedule as JSON"),
      },
      aliases: { c: "command", p: "priority" },
      positional: {
        kind: "tuple",
        parameters: [positional("name", "1-64 of A-Z a-z 0-9 . _ - ; jobs are NAME:<tick>")],
      },
    },
    func: async (flags: ScheduleAddFlags, name: string) => {
      await loadCron(); // parseCadence checks a --cron expression with it
      const schedule = scheduleFromFlags(name, flags, Date.now());
      const s = await addSchedule(await ctx.store(), schedule);
      if (flags.json) return ctx.out(JSON.stringify(scheduleJson(s)));
      ctx.out(`schedule ${s.name} added: ${cadenceText(s)}, next run ${when(s.next_at)}`);
    },
  });
}
