/**
 * `queuectl metrics`: the last hour from the time-bucketed counters (no job is scanned), for
 * all queues or, with `--queue`, one.
 *
 * @module
 */
import { buildCommand, type Command, type CommandContext } from "@stricli/core";
import type { MetricsReport } from "../metrics_report.ts";
import type { QueueMetrics } from "../queue_metrics.ts";
import { assertQueueName } from "../queue.ts";
import { UsageError } from "../errors.ts";
import { readMetrics } from "../store/metrics.ts";
import type { Context } from "./context.ts";
import { table, when } from "./format.ts";
import { optional, toggle } from "./params.ts";

/** Builds the `metrics` command. */
export function metricsCommand(ctx: Context): Command<CommandContext> {
  return buildCommand({
    docs: {
      brief: "throughput, success rate, run and wait times, retries and DLQ over the last hour",
    },
    parameters: {
      flags: {
        json: toggle("print the report as one JSON document"),
        queue: optional("only this queue's figures, minute by minute", "name"),
      },
    },
    func: async (flags: { json?: boolean; queue?: string }) => {
      const queue = flags.queue === undefined ? undefined : assertQueueName(flags.queue);
      const store = await ctx.store({ create: false });
      const report = await readMetrics(store, { now: Date.now(), queue });
      if (queue === undefined) {
        return ctx.out(flags.json ? JSON.stringify(report) : formatMetrics(report));
      }
      const row = report.queues.find((q) => q.queue === queue);
      if (!row) throw new UsageError(`unknown queue "${queue}" (see queuectl queue list)`);
      const view: QueueView = {
        now: report.now,
        window_minutes: report.window_minutes,
        ...row,
        per_minute: report.queue_minutes ?? [],
      };
      ctx.out(flags.json ? JSON.stringify(view) : formatQueueMetrics(view));
    },
  });
}

/** What `metrics --queue NAME` shows: the queue's row and its outcomes minute by minute. */
export interface QueueView extends QueueMetrics {
  /** When it was computed (epoch ms). */
  now: number;
  /** Minutes covered. */
  window_minutes: number;
  /** One entry per minute, oldest first. */
  per_minute: NonNullable<MetricsReport["queue_minutes"]>;
}

/**
 * One queue's report as text (pure).
 *
 * @example
 * ```ts
 * declare const view: QueueView;
 * formatQueueMetrics(view).split("\n")[0]; // "queue build, last 60 minutes, to …"
 * ```
 */
export function formatQueueMetrics(v: QueueView): string {
  const ended = v.completed + v.dead;
  const lines = [
    `queue ${v.queue}, last ${v.window_minutes} minutes, to ${when(v.now)}`,
    `jobs        completed ${v.completed}, retried ${v.retried}, dead ${v.dead}`,
    `success     ${rate(v.success_rate)} (${v.completed} of ${ended} finished jobs)`,
    `run time    mean ${ms(v.run_ms.mean)} (${v.run_ms.count} attempts)`,
    `now         pending ${v.pending}, running ${v.running}, dlq ${v.dlq}`,
    `throughput  ${sparkline(v.per_minute.map((r) => r.completed))} completed/min, ` +
    `peak ${Math.max(...v.per_minute.map((r) => r.completed))}`,
  ];
  const busy = v.per_minute.filter((r) => r.completed + r.retried + r.dead > 0);
  if (busy.length > 0) {
    lines.push(
      "",
      table(
        ["MINUTE", "COMPLETED", "RETRIED", "DEAD"],
        busy.map((r) => [
          when(r.minute).slice(0, 16) + "Z",
          ...[r.completed, r.retried, r.dead].map(String),
        ]),
      ),
    );
  }
  return lines.join("\n");
}

/**
 * The report as text (pure).
 *
 * @example
 * ```ts
 * import { readMetrics } from "../store/metrics.ts";
 * import type { Store } from "../store/open.ts";
 * import type { Context } from "./context.ts";
 * declare const ctx: Context;
 * declare const store: Store;
 * ctx.out(formatMetrics(await readMetrics(store, { now: Date.now() })));
 * ```
 */
export function formatMetrics(m: MetricsReport): string {
  const w = m.window;
  const ended = w.completed + w.dead;
  const lines = [
    `last ${m.window_minutes} minutes, to ${when(m.now)}`,
    `jobs        enqueued ${w.enqueued}, started ${w.started}, completed ${w.completed}, ` +
    `dead ${w.dead}, canceled ${w.canceled}`,
    `retries     ${w.retried} failed attempts were retried` +
    (w.interrupted ? `, ${w.interrupted} interrupted and requeued` : ""),
    `success     ${rate(m.success_rate)} (${w.completed} of ${ended} finished jobs)`,
    `run time    p50 ${ms(m.run_ms.p50)}, p95 ${ms(m.run_ms.p95)}, max ${ms(m.run_ms.max)}` +
    ` (${m.run_ms.count} attempts)`,
    `wait        p50 ${ms(m.wait_ms.p50)}, p95 ${ms(m.wait_ms.p95)} from due to start`,
    `dlq         ${m.dlq} job(s)`,
    ...(w.hook_ok + w.hook_failed > 0
      ? [`hooks       ${w.hook_ok} succeeded, ${w.hook_failed} failed (on_finish, on_finish_url)`]
      : []),
    `throughput  ${sparkline(m.per_minute.map((r) => r.completed))} completed/min, ` +
    `peak ${Math.max(...m.per_minute.map((r) => r.completed))}`,
  ];
  const busy = m.per_minute.filter((r) => r.enqueued + r.started + r.completed + r.dead > 0);
  if (busy.length > 0) {
    lines.push(
      "",
      table(
        ["MINUTE", "ENQUEUED", "STARTED", "COMPLETED", "RETRIED", "DEAD"],
        busy.map((r) => [
          when(r.minute).slice(0, 16) + "Z",
          ...[r.enqueued, r.started, r.completed, r.retried, r.dead].map(String),
        ]),
      ),
    );
  }
  // Only once a queue other than `default` exists: most users never make one.
  if (m.queues.length > 1) {
    lines.push(
      "",
      table(
        ["QUEUE", "COMPLETED", "RETRIED", "DEAD", "RUN MEAN", "RUNNING", "PENDING"],
        m.queues.map((q) => [
          q.queue,
          ...[q.completed, q.retried, q.dead].map(String),
          ms(q.run_ms.mean),
          ...[q.running, q.pending].map(String),
        ]),
      ),
    );
  }
  if (m.workers.length > 0) {
    lines.push(
      "",
      table(
        ["WORKER", "COMPLETED", "FAILED"],
        m.workers.map((x) => [x.worker, String(x.completed), String(x.failed)]),
      ),
    );
  }
  return lines.join("\n");
}

const BARS = "▁▂▃▄▅▆▇█";

/** One character per value, scaled to the largest (pure). */
function sparkline(values: number[]): string {
  const top = Math.max(1, ...values);
  // Zero gets the lowest bar and any activity at least the second, so an idle minute and a
  // quiet one look different.
  return values.map((v) => v === 0 ? BARS[0] : BARS[1 + Math.min(6, Math.floor((v / top) * 6.999))])
    .join("");
}

function rate(value: number | null): string {
  return value === null ? "-" : `${(value * 100).toFixed(1)}%`;
}

function ms(value: number | null): string {
  if (value === null) return "-";
  if (value < 10) return `${value.toFixed(1)}ms`;
  if (value < 1000) return `${Math.round(value)}ms`;
  return `${(value / 1000).toFixed(value < 10_000 ? 2 : 1)}s`;
}
