/**
 * `queuectl schedule add|list|show|pause|resume|remove`: recurring schedules. `add` lives in
 * `schedule_add.ts`.
 *
 * @module
 */
import { buildCommand, buildRouteMap, type CommandContext, type RouteMap } from "@stricli/core";
import type { Schedule } from "../schedule.ts";
import { assertScheduleName } from "../schedule_input.ts";
import { cadenceText, scheduleJson } from "../schedule_json.ts";
import {
  getSchedule,
  listSchedules,
  pauseSchedule,
  removeSchedule,
  resumeSchedule,
} from "../store/schedules.ts";
import type { Store } from "../store/open.ts";
import type { Context } from "./context.ts";
import { table, when } from "./format.ts";
import { positional, toggle } from "./params.ts";
import { scheduleAddCommand } from "./schedule_add.ts";

/** Builds the `schedule` command group. */
export function scheduleCommand(ctx: Context): RouteMap<CommandContext> {
  return buildRouteMap({
    docs: { brief: "recurring schedules: a job enqueued at every tick of a cron or a period" },
    routes: {
      add: scheduleAddCommand(ctx),
      list: buildCommand({
        docs: { brief: "list schedules: name, cadence, next and last run, paused" },
        parameters: { flags: { json: toggle("print a JSON array") } },
        func: async (flags: { json?: boolean }) => {
          const all = await listSchedules(await ctx.store({ create: false }));
          if (flags.json) return ctx.out(JSON.stringify(all.map(scheduleJson)));
          if (all.length === 0) return ctx.out("no schedules");
          ctx.out(table(
            ["NAME", "SCHEDULE", "NEXT RUN", "LAST RUN", "PAUSED", "COMMAND"],
            all.map((s) => [
              s.name,
              cadenceText(s),
              when(s.next_at),
              when(s.last_at),
              s.paused ? "yes" : "no",
              s.spec.command,
            ]),
          ));
        },
      }),
      show: buildCommand({
        docs: { brief: "show one schedule" },
        parameters: {
          flags: { json: toggle("print it as JSON") },
          positional: { kind: "tuple", parameters: [positional("name", "schedule name")] },
        },
        func: async (flags: { json?: boolean }, name: string) => {
          assertScheduleName(name);
          const s = await getSchedule(await ctx.store({ create: false }), name);
          if (flags.json) return ctx.out(JSON.stringify(scheduleJson(s)));
          for (const line of showLines(s)) ctx.out(line);
        },
      }),
      pause: change(ctx, "pause", "stop firing ticks until resumed", pauseSchedule, "paused"),
      resume: change(
        ctx,
        "resume",
        "fire ticks again from now (missed ones only with --catch-up)",
        resumeSchedule,
        "resumed",
      ),
      remove: change(
        ctx,
        "remove",
        "delete a schedule (the jobs it made stay)",
        (store, name) => removeSchedule(store, name),
        "removed",
      ),
    },
  });
}

/** A subcommand that changes one schedule by name and prints what it did. */
function change(
  ctx: Context,
  verb: string,
  brief: string,
  op: (store: Store, name: string, options: { now: number }) => Promise<Schedule>,
  done: string,
) {
  return buildCommand({
    docs: { brief: `${verb} a schedule: ${brief}` },
    parameters: {
      flags: { json: toggle("print the schedule as JSON") },
      positional: { kind: "tuple", parameters: [positional("name", "schedule name")] },
    },
    func: async (flags: { json?: boolean }, name: string) => {
      assertScheduleName(name);
      const s = await op(await ctx.store({ create: false }), name, { now: Date.now() });
      if (flags.json) return ctx.out(JSON.stringify(scheduleJson(s)));
      const next = s.next_at === null || verb === "remove" ? "" : `; next run ${when(s.next_at)}`;
      ctx.out(`schedule ${name} ${done}${next}`);
    },
  });
}

/** The lines of `schedule show`. */
function showLines(s: Schedule): string[] {
  const j = scheduleJson(s);
  const labels = Object.entries(s.spec.labels ?? {}).map(([k, v]) => `${k}=${v}`).join(" ");
  return [
    `name:        ${s.name}`,
    `schedule:    ${cadenceText(s)}${s.catch_up ? ", catch-up" : ""}`,
    `paused:      ${s.paused ? "yes" : "no"}`,
    `next run:    ${when(s.next_at)}`,
    `last run:    ${when(s.last_at)}${s.last_job ? ` (${s.last_job})` : ""}`,
    `command:     ${s.spec.command}`,
    `queue:       ${s.spec.queue}`,
    `priority:    ${s.spec.priority}`,
    `max retries: ${s.spec.max_retries ?? "config default"}`,
    `timeout:     ${j.timeout === null ? "config default" : `${j.timeout}s`}`,
    `cwd:         ${s.spec.cwd ?? "-"}`,
    ...(labels ? [`labels:      ${labels}`] : []),
    `created:     ${when(s.created_at)}`,
  ];
}
