/**
 * `queuectl worker start | stop | list` and the hidden `worker run` that each child executes.
 *
 * @module
 */
import { buildCommand, buildRouteMap, type CommandContext, type RouteMap } from "@stricli/core";
import { parseInteger } from "../number_text.ts";
import { assertWritable, listWorkers } from "../store/workers.ts";
import { startDetached, superviseUntilStopped } from "../worker/supervisor_process.ts";
import { runWorkerProcess } from "../worker/worker_process.ts";
import type { Context } from "./context.ts";
import { ago, table, workerJson } from "./format.ts";
import { optional, toggle, withDefault } from "./params.ts";
import { parseQueueList } from "../queue.ts";
import { stopWorkers } from "./worker_stop.ts";
import { defaultProcesses } from "../process_split.ts";
import { runningJobs } from "../worker_record.ts";

/** Builds the `worker` command group. */
export function workerCommand(ctx: Context): RouteMap<CommandContext> {
  return buildRouteMap({
    docs: { brief: "start, stop and list workers", hideRoute: { run: true } },
    routes: {
      start: buildCommand({
        docs: { brief: "run N jobs at once until stopped (Ctrl+C or `worker stop`)" },
        parameters: {
          flags: {
            count: withDefault("how many jobs at once, 1-256", "n", "1"),
            processes: optional(
              "spread them over this many worker processes (default ⌈n/16⌉)",
              "p",
            ),
            detach: toggle("run in the background and return at once"),
            json: toggle('print {"pid","count",…} as one JSON line once started'),
            queues: optional("serve only these queues, preferring them in this order", "a,b"),
          },
          aliases: { n: "count", d: "detach" },
        },
        func: (flags: StartFlags) => start(ctx, flags),
      }),
      stop: buildCommand({
        docs: { brief: "stop workers: running jobs finish first (--force: killed and requeued)" },
        parameters: {
          flags: {
            force: toggle("kill running jobs now; they go back to pending, uncharged"),
            timeout: withDefault("how long to wait for workers to exit", "seconds", "15"),
            json: toggle('print {"stopped","still_finishing"}'),
          },
        },
        func: (flags: { force?: boolean; timeout: string; json?: boolean }) =>
          stopWorkers(ctx, flags),
      }),
      list: buildCommand({
        docs: { brief: "list registered workers" },
        parameters: { flags: { json: toggle("print a JSON array") } },
        func: (flags: { json?: boolean }) => list(ctx, flags),
      }),
      run: buildCommand({
        docs: { brief: "run one worker in this process (used by `worker start`)" },
        parameters: {
          flags: {
            queues: optional("serve only these queues, in order", "a,b"),
            slots: withDefault("how many jobs at once", "n", "1"),
          },
        },
        func: async (flags: { queues?: string; slots: string }) => {
          const queues = flags.queues === undefined ? undefined : parseQueueList(flags.queues);
          const slots = parseInteger(flags.slots, { name: "--slots", min: 1, max: MAX_COUNT });
          return runWorkerProcess(await ctx.store(), { queues, slots });
        },
      }),
    },
  });
}

/** The most jobs one `worker start` runs at once. */
const MAX_COUNT = 256;

/** The most worker processes one `worker start` runs (each is a whole Deno process). */
const MAX_PROCESSES = 64;

/** `--count` and `--processes` as numbers (pure); a usage error for anything else. */
function parseSplit(flags: StartFlags): { count: number; processes?: number } {
  const count = parseInteger(flags.count, { name: "--count", min: 1, max: MAX_COUNT });
  if (flags.processes === undefined) return { count };
  const max = Math.min(count, MAX_PROCESSES);
  const processes = parseInteger(flags.processes, { name: "--processes", min: 1, max });
  return { count, processes };
}

interface StartFlags {
  count: string;
  processes?: string;
  detach?: boolean;
  json?: boolean;
  queues?: string;
}

async function start(ctx: Context, flags: StartFlags): Promise<void> {
  const { count, processes } = parseSplit(flags);
  const queues = flags.queues === undefined ? undefined : parseQueueList(flags.queues);
  const location = ctx.location();
  // Fail here, once, if the database cannot be opened or written, rather than in every worker.
  const store = await ctx.store();
  await assertWritable(store);
  if (!flags.detach) {
    // In the foreground the log goes to stderr; a script reads the one line on stdout.
    const line = JSON.stringify({
      pid: Deno.pid,
      count,
      processes: processes ?? defaultProcesses(count),
      log: null,
      queues: queues ?? null,
    });
    return await superviseUntilStopped({ count, processes, location, queues }, {
      onStarted: flags.json ? () => ctx.out(line) : undefined,
    });
  }
  const { pid, logPath } = await startDetached(store, { count, processes, location, queues });
  const procs = processes ?? defaultProcesses(count);
  if (flags.json) {
    return ctx.out(
      JSON.stringify({ pid, count, processes: procs, log: logPath, queues: queues ?? null }),
    );
  }
  ctx.out(
    `started ${count} slot(s) in ${procs} worker process(es) in the background (supervisor pid ${pid}, log ${logPath})`,
  );
}

async function list(ctx: Context, flags: { json?: boolean }): Promise<void> {
  const workers = await listWorkers(await ctx.store({ create: false }));
  if (flags.json) return ctx.out(JSON.stringify(workers.map(workerJson)));
  if (workers.length === 0) return ctx.out("no workers running");
  const now = Date.now();
  ctx.out(table(
    ["ID", "HOST", "PID", "STATE", "SLOTS", "JOBS", "HEARTBEAT", "DONE"],
    workers.map((w) => [
      w.id,
      w.host,
      String(w.pid),
      w.state,
      `${runningJobs(w).length}/${w.slots ?? 1}`,
      runningJobs(w).map((r) => r.id).join(",") || "-",
      ago(w.heartbeat_at, now),
      String(w.processed),
    ]),
  ));
}
