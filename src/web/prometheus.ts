/**
 * `GET /metrics`: the queue in Prometheus' text exposition format (version 0.0.4). Every name
 * starts `queuectl_`; times are in seconds, as Prometheus expects.
 *
 * @module
 */
import type { JobState } from "../job.ts";
import type { Histogram, MetricsTotals } from "../metrics.ts";
import { type QueueFigures, queueOrder, withDefaultQueue } from "../queue_metrics.ts";
import type { QueueStatus, WorkerRecord } from "../store/mod.ts";

/** What one scrape shows. */
export interface Snapshot {
  /** Jobs per state, from the counters. */
  counts: Record<JobState, number>;
  /** Registered workers. */
  workers: readonly WorkerRecord[];
  /** Every queue with its settings and counters (`listQueues`). */
  queues: readonly QueueStatus[];
  /** All-time totals, or null before any were recorded. */
  totals: MetricsTotals | null;
  /** The clock reading of the scrape (ms). */
  now: number;
}

/** The Content-Type of the text format. */
export const PROMETHEUS_TYPE = "text/plain; version=0.0.4; charset=utf-8";

/**
 * Renders a snapshot in the text format (pure).
 *
 * @example
 * ```ts
 * import type { Store } from "../store/open.ts";
 * import { readTotals } from "../store/metrics.ts";
 * import { countJobs } from "../store/query.ts";
 * declare const store: Store;
 * const counts = await countJobs(store);
 * renderMetrics({ counts, workers: [], queues: [], totals: await readTotals(store), now: Date.now() });
 * // "# HELP queuectl_jobs Jobs in each state.\n# TYPE queuectl_jobs gauge\n..."
 * ```
 */
export function renderMetrics(s: Snapshot): string {
  const out: string[] = [];
  const family = (name: string, type: string, help: string) => {
    out.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
  };
  const sample: Sample = (name, labels, value) => {
    const l = Object.entries(labels).map(([k, v]) => `${k}="${escapeLabel(v)}"`).join(",");
    out.push(`${name}${l ? `{${l}}` : ""} ${formatValue(value)}`);
  };

  family("queuectl_jobs", "gauge", "Jobs in each state.");
  for (const [state, n] of Object.entries(s.counts)) sample("queuectl_jobs", { state }, n);
  family("queuectl_dlq_size", "gauge", "Jobs in the Dead Letter Queue.");
  sample("queuectl_dlq_size", {}, s.counts.dead);
  family("queuectl_workers", "gauge", "Registered workers.");
  sample("queuectl_workers", {}, s.workers.length);
  family("queuectl_workers_busy", "gauge", "Workers running a job.");
  sample("queuectl_workers_busy", {}, s.workers.filter((w) => w.state === "busy").length);
  family(
    "queuectl_worker_heartbeat_age_seconds",
    "gauge",
    "Seconds since each worker's last heartbeat.",
  );
  for (const w of s.workers) {
    sample("queuectl_worker_heartbeat_age_seconds", { worker: w.id, host: w.host }, age(w, s.now));
  }
  if (s.totals) {
    const c = s.totals.counters;
    const totals: [string, number, string][] = [
      ["enqueued", c.enqueued, "Jobs enqueued."],
      ["started", c.started, "Attempts started."],
      ["completed", c.completed, "Jobs that completed."],
      ["failed", c.retried + c.dead, "Attempts that failed (then retried, or the job died)."],
      ["retried", c.retried, "Failed attempts that were retried."],
      ["dead", c.dead, "Jobs moved to the Dead Letter Queue."],
      ["canceled", c.canceled, "Jobs canceled."],
      ["interrupted", c.interrupted, "Running attempts put back uncharged by a forced stop."],
    ];
    for (const [name, value, help] of totals) {
      family(`queuectl_jobs_${name}_total`, "counter", help);
      sample(`queuectl_jobs_${name}_total`, {}, value);
    }
    const hooks: [string, number, string][] = [
      ["ok", c.hook_ok, "Finish hooks (command or URL) that succeeded."],
      ["failed", c.hook_failed, "Finish hooks that failed after their tries."],
    ];
    for (const [name, value, help] of hooks) {
      family(`queuectl_hooks_${name}_total`, "counter", help);
      sample(`queuectl_hooks_${name}_total`, {}, value);
    }
    histogram(out, "queuectl_job_run_seconds", "Run time of finished attempts.", s.totals.run);
    histogram(
      out,
      "queuectl_job_wait_seconds",
      "Wait from enqueue (or due time) to start.",
      s.totals.wait,
    );
  }
  queueFamilies(s, family, sample);
  return out.join("\n") + "\n";
}

type Sample = (name: string, labels: Record<string, string>, value: number) => void;

/**
 * The per-queue families: gauges from each queue's counters and settings, and all-time outcome
 * counters and run times, the default queue's being the totals less the named queues'.
 */
function queueFamilies(
  s: Snapshot,
  family: (name: string, type: string, help: string) => void,
  sample: Sample,
): void {
  family("queuectl_queue_jobs", "gauge", "Jobs of each queue in each state.");
  for (const q of s.queues) {
    for (const [state, n] of Object.entries(q.counts)) {
      sample("queuectl_queue_jobs", { queue: q.settings.name, state }, n);
    }
  }
  family("queuectl_queue_running", "gauge", "Jobs of each queue running now.");
  for (const q of s.queues) {
    sample("queuectl_queue_running", { queue: q.settings.name }, q.counts.processing);
  }
  const limited = s.queues.filter((q) => q.settings.concurrency !== null);
  if (limited.length > 0) {
    family("queuectl_queue_limit", "gauge", "Concurrency limit of each limited queue.");
    for (const q of limited) {
      sample("queuectl_queue_limit", { queue: q.settings.name }, q.settings.concurrency!);
    }
  }
  family("queuectl_queue_paused", "gauge", "1 while a queue is paused, else 0.");
  for (const q of s.queues) {
    sample("queuectl_queue_paused", { queue: q.settings.name }, q.settings.paused ? 1 : 0);
  }
  if (!s.totals) return;
  const figures = queueTotals(s.totals);
  const names = [...new Set([...s.queues.map((q) => q.settings.name), ...figures.keys()])]
    .sort(queueOrder);
  const of = (queue: string): QueueFigures =>
    figures.get(queue) ?? { completed: 0, retried: 0, dead: 0, runs: 0, run_sum: 0 };
  family(
    "queuectl_queue_jobs_total",
    "counter",
    "Finished attempts of each queue by outcome: completed, retried, or dead (to the DLQ).",
  );
  for (const queue of names) {
    for (const outcome of ["completed", "retried", "dead"] as const) {
      sample("queuectl_queue_jobs_total", { queue, outcome }, of(queue)[outcome]);
    }
  }
  family("queuectl_queue_job_run_seconds", "summary", "Run time of each queue's ended attempts.");
  for (const queue of names) {
    sample("queuectl_queue_job_run_seconds_sum", { queue }, of(queue).run_sum / 1000);
    sample("queuectl_queue_job_run_seconds_count", { queue }, of(queue).runs);
  }
}

/** Every queue's all-time figures, the default queue's derived from the totals. */
function queueTotals(t: MetricsTotals): Map<string, QueueFigures> {
  return withDefaultQueue(t.queues, {
    completed: t.counters.completed,
    retried: t.counters.retried,
    dead: t.counters.dead,
    runs: t.run.counts.reduce((a, b) => a + b, 0),
    run_sum: t.run.sum_ms,
  });
}

function histogram(out: string[], name: string, help: string, h: Histogram): void {
  out.push(`# HELP ${name} ${help}`, `# TYPE ${name} histogram`);
  let cumulative = 0;
  for (const [i, bound] of h.bounds_ms.entries()) {
    cumulative += h.counts[i] ?? 0;
    out.push(`${name}_bucket{le="${formatValue(bound / 1000)}"} ${cumulative}`);
  }
  for (let i = h.bounds_ms.length; i < h.counts.length; i++) cumulative += h.counts[i] ?? 0;
  out.push(`${name}_bucket{le="+Inf"} ${cumulative}`);
  out.push(`${name}_sum ${formatValue(h.sum_ms / 1000)}`);
  out.push(`${name}_count ${cumulative}`);
}

function age(w: WorkerRecord, now: number): number {
  return Math.max(0, now - w.heartbeat_at) / 1000;
}

function formatValue(n: number): string {
  if (Number.isNaN(n)) return "NaN";
  if (!Number.isFinite(n)) return n > 0 ? "+Inf" : "-Inf";
  return String(Math.round(n * 1e6) / 1e6);
}

/** Label values escape backslash, double quote and newline (the format's only escapes). */
function escapeLabel(v: string): string {
  return v.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
}
