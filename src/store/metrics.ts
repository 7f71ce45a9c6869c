/**
 * Metrics in KV: per-minute and all-time `Deno.KvU64` counters, written by `applyTransition` in
 * the same atomic operation as the transition they count, so they never drift from what
 * happened and reading them never scans jobs.
 *
 * @module
 */
import {
  bucketOf,
  type Counter,
  COUNTERS,
  emptyHistogram,
  type Histogram,
  KEEP_MINUTES,
  type MetricsReport,
  type MetricsTotals,
  MINUTE_MS,
  type MinuteData,
  minuteOf,
  summarize,
  transitionEvents,
  WINDOW_MINUTES,
  zeroCounters,
} from "../metrics.ts";
import type { Job } from "../job.ts";
import { Tx } from "./db.ts";
import { keys } from "./keys.ts";
import type { Store } from "./open.ts";
import { countJobs } from "./query.ts";

/**
 * Adds to `tx` the metric counters the transition from `before` to `after` moves. Sums of one
 * key within a batch merge into one mutation, so a bulk enqueue costs two extra mutations.
 */
export function recordTransition(tx: Tx, before: Job | null, after: Job | null): void {
  const events = transitionEvents(before, after);
  if (!events) return;
  const minute = minuteOf(events.at);
  for (const c of events.counters) {
    tx.add(keys.metricMinute(minute, c), 1);
    tx.add(keys.metricTotal(c), 1);
  }
  for (const s of events.samples) {
    const b = bucketOf(s.ms);
    tx.add(keys.metricMinute(minuteOf(s.at), s.timing, b), s.delta);
    tx.add(keys.metricTotal(s.timing, b), s.delta);
    tx.add(keys.metricTotal(`${s.timing}_sum`), s.delta * Math.round(s.ms));
    if (s.timing === "run") tx.max(keys.metricMinute(minute, "run_max"), s.ms);
  }
  if (events.worker) {
    const outcome = events.worker.ok ? "completed" : "failed";
    tx.add(keys.metricMinute(minute, "worker", events.worker.id, outcome), 1);
  }
}

/**
 * The last hour's report: throughput per minute, success rate, run-time and wait percentiles,
 * the DLQ size and per-worker counts.
 *
 * @example
 * ```ts
 * const report = await readMetrics(store, { now: Date.now() });
 * console.log(report.window.completed, report.run_ms.p95);
 * ```
 */
export async function readMetrics(store: Store, options: { now: number }): Promise<MetricsReport> {
  const last = minuteOf(options.now);
  const first = last - (WINDOW_MINUTES - 1) * MINUTE_MS;
  const [entries, counts] = await Promise.all([
    listAll(store, {
      start: keys.metricMinute(first),
      end: keys.metricMinute(last + MINUTE_MS),
    }),
    countJobs(store),
  ]);
  const minutes = new Map<number, MinuteData>();
  for (const { key, value } of entries) {
    const minute = key[2] as number;
    let data = minutes.get(minute);
    if (!data) {
      data = {
        minute,
        counters: {},
        run: new Map(),
        run_max: 0,
        wait: new Map(),
        workers: new Map(),
      };
      minutes.set(minute, data);
    }
    const n = Number(value.value);
    const [kind, a, b] = key.slice(3);
    if (kind === "run" || kind === "wait") data[kind].set(a as number, n);
    else if (kind === "run_max") data.run_max = n;
    else if (kind === "worker") {
      const w = data.workers.get(a as string) ?? { completed: 0, failed: 0 };
      w[b as "completed" | "failed"] = n;
      data.workers.set(a as string, w);
    } else if (COUNTERS.includes(kind as Counter)) data.counters[kind as Counter] = n;
  }
  return summarize([...minutes.values()], { now: options.now, dlq: counts.dead });
}

/**
 * All-time counters and histograms (for Prometheus' `/metrics`).
 *
 * @example
 * ```ts
 * const totals = await readTotals(store);
 * console.log(totals.counters.completed, totals.run.sum_ms);
 * ```
 */
export async function readTotals(store: Store): Promise<MetricsTotals> {
  const out: MetricsTotals = {
    counters: zeroCounters(),
    run: emptyHistogram(),
    wait: emptyHistogram(),
  };
  for (const { key, value } of await listAll(store, { prefix: keys.metricTotals })) {
    const n = Number(value.value);
    const [kind, bucket] = key.slice(2);
    if (kind === "run" || kind === "wait") {
      const h: Histogram = out[kind];
      h.counts[bucket as number] = n;
    } else if (kind === "run_sum") out.run.sum_ms = n;
    else if (kind === "wait_sum") out.wait.sum_ms = n;
    else if (COUNTERS.includes(kind as Counter)) out.counters[kind as Counter] = n;
  }
  return out;
}

/**
 * Deletes minute buckets older than `KEEP_MINUTES`, at most `max` keys per call (default 500).
 * Returns how many it deleted.
 *
 * @example
 * ```ts
 * await sweepMetrics(store, { now: Date.now() });
 * ```
 */
export async function sweepMetrics(
  store: Store,
  options: { now: number; max?: number },
): Promise<number> {
  const cutoff = minuteOf(options.now) - KEEP_MINUTES * MINUTE_MS;
  const old = await store.db.list<Deno.KvU64>(
    { start: keys.metricMinutes, end: keys.metricMinute(cutoff) },
    { limit: Math.min(options.max ?? 500, 500) },
  );
  if (old.length === 0) return 0;
  const tx = new Tx();
  for (const e of old) tx.delete(e.key);
  // Deletes without checks: a counter of a minute that old is never written again.
  await store.db.commit(tx);
  return old.length;
}

/** Lists every entry of a selector, a page of 1,000 at a time (the remote read limit). */
async function listAll(
  store: Store,
  selector: { prefix: Deno.KvKey } | { start: Deno.KvKey; end: Deno.KvKey },
): Promise<Deno.KvEntry<Deno.KvU64>[]> {
  const out: Deno.KvEntry<Deno.KvU64>[] = [];
  let from: Deno.KvKey | undefined;
  for (;;) {
    const page = await store.db.list<Deno.KvU64>(
      from === undefined
        ? selector
        : "prefix" in selector
        ? { prefix: selector.prefix, start: from }
        : { start: from, end: selector.end },
      { limit: 1000 },
    );
    // The start bound is inclusive: skip the entry the last page ended with.
    const seen = from !== undefined && page[0] !== undefined && sameKey(page[0].key, from);
    out.push(...(seen ? page.slice(1) : page));
    if (page.length < 1000) return out;
    from = page[page.length - 1]!.key;
  }
}

function sameKey(a: Deno.KvKey, b: Deno.KvKey): boolean {
  return a.length === b.length && a.every((part, i) => part === b[i]);
}
