/**
 * `GET /metrics`: the queue in Prometheus' text exposition format (version 0.0.4). Every name
 * starts `queuectl_`; times are in seconds, as Prometheus expects.
 *
 * @module
 */
import type { JobState } from "../job.ts";
import type { Histogram, MetricsTotals } from "../metrics.ts";
import type { WorkerRecord } from "../store/mod.ts";

/** What one scrape shows. */
export interface Snapshot {
  /** Jobs per state, from the counters. */
  counts: Record<JobState, number>;
  /** Registered workers. */
  workers: readonly WorkerRecord[];
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
 * renderMetrics({ counts, workers: [], totals: await readTotals(store), now: Date.now() });
 * // "# HELP queuectl_jobs Jobs in each state.\n# TYPE queuectl_jobs gauge\n..."
 * ```
 */
export function renderMetrics(s: Snapshot): string {
  const out: string[] = [];
  const family = (name: string, type: string, help: string) => {
    out.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
  };
  const sample = (name: string, labels: Record<string, string>, value: number) => {
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
  return out.join("\n") + "\n";
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
