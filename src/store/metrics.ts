/**
 * Metrics in KV: per-minute `Deno.KvU64` counters, written through `metric_sink.ts` in the same
 * atomic operation as the transition they count, so they never drift from what happened and
 * reading them never scans jobs. All-time totals are not written per transition: the sweep folds
 * each expired minute into them, and readers add the live minutes.
 *
 * @module
 */
import {
  type Counter,
  COUNTERS,
  emptyHistogram,
  type Histogram,
  KEEP_MINUTES,
  type MetricsTotals,
  MINUTE_MS,
  minuteOf,
  WINDOW_MINUTES,
  zeroCounters,
} from "../metrics.ts";
import { type MetricsReport, type MinuteData, summarize } from "../metrics_report.ts";
import { Tx } from "./db.ts";
import { keys } from "./keys.ts";
import type { Store } from "./open.ts";
import { countJobs } from "./query.ts";
import { tallyParts } from "./metric_tally.ts";
import { listQueues } from "./queue_read.ts";
import { type QueueFigure, type QueueFigures, zeroFigures } from "../queue_metrics.ts";

/** Options of {@linkcode readMetrics}. */
export interface ReadMetricsOptions {
  /** The clock reading the window ends at. */
  now: number;
  /** A queue to report minute by minute too (`queue_minutes`). */
  queue?: string;
}

/**
 * The last hour's report: throughput per minute, success rate, run-time and wait percentiles,
 * the DLQ size, per-worker counts, and each queue's figures with its jobs now.
 *
 * @example
 * ```ts
 * import type { Store } from "./open.ts";
 * declare const store: Store;
 * const report = await readMetrics(store, { now: Date.now() });
 * console.log(report.window.completed, report.run_ms.p95);
 * ```
 */
export async function readMetrics(
  store: Store,
  options: ReadMetricsOptions,
): Promise<MetricsReport> {
  const last = minuteOf(options.now);
  const first = last - (WINDOW_MINUTES - 1) * MINUTE_MS;
  const [entries, counts, queues] = await Promise.all([
    listAll(store, {
      start: keys.metricMinute(first),
      end: keys.metricMinute(last + MINUTE_MS),
    }),
    countJobs(store),
    listQueues(store),
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
        run_sum: 0,
        queues: new Map(),
      };
      minutes.set(minute, data);
    }
    for (const [[kind, a, b], n] of minuteParts(key, value)) {
      if (kind === "run" || kind === "wait") {
        data[kind].set(a as number, (data[kind].get(a as number) ?? 0) + n);
      } else if (kind === "run_max") data.run_max = Math.max(data.run_max, n);
      else if (kind === "run_sum") data.run_sum! += n;
      else if (kind === "wait_sum") data.wait_sum = (data.wait_sum ?? 0) + n;
      else if (kind === "depth") data.depth = Math.max(data.depth ?? 0, n);
      else if (kind === "q") addFigure(data.queues!, a as string, b as QueueFigure, n);
      else if (kind === "worker") {
        const w = data.workers.get(a as string) ?? { completed: 0, failed: 0 };
        w[b as "completed" | "failed"] += n;
        data.workers.set(a as string, w);
      } else if (COUNTERS.includes(kind as Counter)) {
        data.counters[kind as Counter] = (data.counters[kind as Counter] ?? 0) + n;
      }
    }
  }
  return summarize([...minutes.values()], {
    now: options.now,
    dlq: counts.dead,
    queues: new Map(queues.map((q) => [q.settings.name, q.counts])),
    series: options.queue,
    depth: counts.pending,
  });
}

function addFigure(
  into: Map<string, QueueFigures>,
  queue: string,
  figure: QueueFigure,
  n: number,
): void {
  let f = into.get(queue);
  if (!f) into.set(queue, f = zeroFigures());
  if (figure in f) f[figure] += n;
}

/**
 * All-time counters, histograms and named queues' figures (for Prometheus' `/metrics`): the
 * folded totals plus every minute not yet swept. A fold moves a minute into the totals in one
 * atomic operation, so no reading counts a minute twice or misses it.
 *
 * @example
 * ```ts
 * import type { Store } from "./open.ts";
 * declare const store: Store;
 * const totals = await readTotals(store);
 * console.log(totals.counters.completed, totals.run.sum_ms);
 * ```
 */
export async function readTotals(store: Store): Promise<MetricsTotals> {
  const out: MetricsTotals = {
    counters: zeroCounters(),
    run: emptyHistogram(),
    wait: emptyHistogram(),
    queues: new Map(),
  };
  const add = (name: readonly Deno.KvKeyPart[], n: number) => {
    const [kind, bucket] = name;
    if (kind === "q") addFigure(out.queues, bucket as string, name[2] as QueueFigure, n);
    else if (kind === "run" || kind === "wait") {
      const h: Histogram = out[kind];
      h.counts[bucket as number] = (h.counts[bucket as number] ?? 0) + n;
    } else if (kind === "run_sum") out.run.sum_ms += n;
    else if (kind === "wait_sum") out.wait.sum_ms += n;
    else if (COUNTERS.includes(kind as Counter)) out.counters[kind as Counter] += n;
  };
  const [folded, live] = await Promise.all([
    listAll(store, { prefix: keys.metricFoldedAll }),
    listAll(store, { prefix: keys.metricMinutes }),
  ]);
  for (const { key, value } of folded) add(key.slice(2), signed(value));
  for (const { key, value } of live) {
    for (const [name, n] of minuteParts(key, value)) if (folds(name)) add(name, n);
  }
  return out;
}

/** Keys per fold: each is checked, and a remote KV allows 10 checks per atomic operation. */
const FOLD_BATCH = 10;

/**
 * Folds minute buckets older than `KEEP_MINUTES` into the all-time totals and deletes them, at
 * most `max` keys per call (default 500). Returns how many it folded. Each batch checks the
 * versionstamp of every key it deletes, so a minute is folded exactly once even when several
 * workers sweep at the same moment (the later commit fails, and finds nothing on its next sweep),
 * and a write that lands between the read and the fold is not lost.
 *
 * @example
 * ```ts
 * import type { Store } from "./open.ts";
 * declare const store: Store;
 * await sweepMetrics(store, { now: Date.now() });
 * ```
 */
export async function sweepMetrics(
  store: Store,
  options: { now: number; max?: number },
): Promise<number> {
  const cutoff = minuteOf(options.now) - KEEP_MINUTES * MINUTE_MS;
  const old = await store.db.list<unknown>(
    { start: keys.metricMinutes, end: keys.metricMinute(cutoff) },
    { limit: Math.min(options.max ?? 500, 500) },
  );
  let folded = 0;
  for (let i = 0; i < old.length; i += FOLD_BATCH) {
    const batch = old.slice(i, i + FOLD_BATCH);
    const tx = new Tx();
    for (const e of batch) {
      tx.check(e.key, e.versionstamp).delete(e.key);
      for (const [name, n] of minuteParts(e.key, e.value)) {
        if (folds(name)) tx.add(keys.metricFolded(...name), n);
      }
    }
    if (await store.db.commit(tx) !== null) folded += batch.length;
  }
  return folded;
}

/**
 * What one minute entry counts, as counter names (without the minute) and values: a counter key
 * stands for itself, a worker's tally for each count it holds.
 */
function minuteParts(key: Deno.KvKey, value: unknown): [Deno.KvKeyPart[], number][] {
  if (key[3] === "tally") return tallyParts(key[4] as string, value);
  return [[key.slice(3), signed(value)]];
}

/** Whether a minute count adds to the all-time totals. */
function folds(name: readonly Deno.KvKeyPart[]): boolean {
  // `run_max` and `depth` have no all-time counterpart, and per-worker counts are only kept per
  // minute.
  return name[0] !== "run_max" && name[0] !== "worker" && name[0] !== "depth";
}

/** A counter's value read as signed: a released claim may briefly take a bucket below zero. */
function signed(value: unknown): number {
  const n = value instanceof Deno.KvU64 ? value.value : 0n;
  return Number(n >= 2n ** 63n ? n - 2n ** 64n : n);
}

/** Lists every entry of a selector, a page of 1,000 at a time (the remote read limit). */
async function listAll(
  store: Store,
  selector: { prefix: Deno.KvKey } | { start: Deno.KvKey; end: Deno.KvKey },
): Promise<Deno.KvEntry<unknown>[]> {
  const out: Deno.KvEntry<unknown>[] = [];
  let from: Deno.KvKey | undefined;
  for (;;) {
    const page = await store.db.list<unknown>(
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
