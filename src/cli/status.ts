/**
 * `queuectl status`: job counts per state (O(1), from counters) and the workers.
 *
 * @module
 */
import { buildCommand, type Command, type CommandContext } from "@stricli/core";
import { JOB_STATES } from "../job.ts";
import { countJobs } from "../store/query.ts";
import { countLabeled } from "../store/label_query.ts";
import { parseLabel } from "../labels.ts";
import { listWorkers, type WorkerRecord } from "../store/workers.ts";
import { runningJobs } from "../worker_record.ts";
import type { Context } from "./context.ts";
import { ago, table, workerJson } from "./format.ts";
import { watchStatus } from "./watch.ts";
import { parseDuration } from "../duration.ts";
import { UsageError } from "../errors.ts";
import { optional, toggle, withDefault } from "./params.ts";
import { listQueues } from "../store/queue_read.ts";
import { queueJson } from "../json_view.ts";
import { queueLines, showQueues } from "./queue_lines.ts";

/** Builds the `status` command. */
export function statusCommand(ctx: Context): Command<CommandContext> {
  return buildCommand({
    docs: { brief: "job counts per state and the workers" },
    parameters: {
      flags: {
        json: toggle('print {"counts": {...}, "workers": [...]}'),
        watch: toggle("redraw until Ctrl+C (plain lines, or NDJSON with --json, when piped)"),
        interval: withDefault("with --watch: how often to redraw", "duration", "1s"),
        label: optional(
          "count only the jobs with this label (reads them: cost grows with them)",
          "k=v",
        ),
      },
      aliases: { w: "watch" },
    },
    func: async (
      flags: { json?: boolean; watch?: boolean; interval: string; label?: string },
    ) => {
      const intervalMs = parseDuration(flags.interval, { name: "--interval" });
      if (intervalMs < 100 || intervalMs > 3_600_000) {
        throw new UsageError(`--interval must be from 100ms to 1h, got "${flags.interval}"`);
      }
      const label = flags.label === undefined ? undefined : parseLabel(flags.label);
      if (label && flags.watch) {
        throw new UsageError("status --label cannot be combined with --watch");
      }
      const store = await ctx.store({ create: false });
      if (label) {
        const counts = await countLabeled(store, label);
        if (flags.json) return ctx.out(JSON.stringify({ label: { [label[0]]: label[1] }, counts }));
        return ctx.out(table(["STATE", "JOBS"], JOB_STATES.map((s) => [s, String(counts[s])])));
      }
      if (flags.watch) {
        return await untilInterrupted((signal) =>
          watchStatus(ctx, store, { intervalMs, signal, json: flags.json })
        );
      }
      const [counts, workers, queues] = await Promise.all([
        countJobs(store),
        listWorkers(store),
        listQueues(store),
      ]);
      if (flags.json) {
        const json = { counts, workers: workers.map(workerJson), queues: queues.map(queueJson) };
        return ctx.out(JSON.stringify(json));
      }
      const now = Date.now();
      ctx.out(table(["STATE", "JOBS"], JOB_STATES.map((s) => [s, String(counts[s])])));
      ctx.out("");
      if (showQueues(queues)) {
        ctx.out(`queues: ${queues.length}`);
        for (const line of queueLines(queues)) ctx.out(`  ${line}`);
        ctx.out("");
      }
      const busy = workers.filter((w) => w.state === "busy").length;
      ctx.out(`workers: ${workers.length} (${busy} busy)`);
      for (const w of workers) {
        ctx.out(
          `  ${w.id}  host ${w.host}  ${w.state}${jobsText(w)}  beat ${ago(w.heartbeat_at, now)}`,
        );
      }
    },
  });
}

/** Runs `fn` with a signal that SIGINT or SIGTERM aborts, so the watch ends with exit 0. */
async function untilInterrupted(fn: (signal: AbortSignal) => Promise<void>): Promise<void> {
  const stop = new AbortController();
  const onSignal = () => stop.abort();
  for (const sig of ["SIGINT", "SIGTERM"] as const) Deno.addSignalListener(sig, onSignal);
  try {
    await fn(stop.signal);
  } finally {
    for (const sig of ["SIGINT", "SIGTERM"] as const) Deno.removeSignalListener(sig, onSignal);
  }
}

/** A worker's running jobs after its state (` a1,b2`), or nothing when it runs none. */
function jobsText(w: WorkerRecord): string {
  const ids = runningJobs(w).map((r) => r.id);
  return ids.length > 0 ? ` ${ids.join(",")}` : "";
}
