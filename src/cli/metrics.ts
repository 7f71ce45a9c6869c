/**
 * `queuectl metrics`: the last hour from the time-bucketed counters (no job is scanned).
 *
 * @module
 */
import { buildCommand, type Command, type CommandContext } from "@stricli/core";
import type { MetricsReport } from "../metrics.ts";
import { readMetrics } from "../store/metrics.ts";
import type { Context } from "./context.ts";
import { table, when } from "./format.ts";
import { toggle } from "./params.ts";

/** Builds the `metrics` command. */
export function metricsCommand(ctx: Context): Command<CommandContext> {
  return buildCommand({
    docs: {
      brief: "throughput, success rate, run and wait times, retries and DLQ over the last hour",
    },
    parameters: { flags: { json: toggle("print the report as one JSON document") } },
    func: async (flags: { json?: boolean }) => {
      const report = await readMetrics(await ctx.store({ create: false }), { now: Date.now() });
      ctx.out(flags.json ? JSON.stringify(report) : formatMetrics(report));
    },
  });
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
    `success     ${m.success_rate === null ? "-" : `${(m.success_rate * 100).toFixed(1)}%`}` +
    ` (${w.completed} of ${ended} finished jobs)`,
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

function ms(value: number | null): string {
  if (value === null) return "-";
  if (value < 10) return `${value.toFixed(1)}ms`;
  if (value < 1000) return `${Math.round(value)}ms`;
  return `${(value / 1000).toFixed(value < 10_000 ? 2 : 1)}s`;
}
