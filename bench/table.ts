/**
 * The printed table: one row a figure, with its baseline or ratio and the goal of issue #6. The
 * same rows go to results.json, which bench/report.ts reprints.
 *
 * The table is data: `TABLE` lists, in print order, each workload's lines and the items of its
 * results they are printed for (table_group.ts), and {@linkcode buildTable} is one loop over it.
 *
 * @module
 */
import type { DepthPoint } from "./depth.ts";
import { fmt, ms, type Row } from "./format.ts";
import type { Primitives } from "./primitives.ts";
import type { Results } from "./results.ts";
import type { Summary } from "./stats.ts";
import { B3_LINES } from "./table_b3.ts";
import { group } from "./table_group.ts";

const p50p95 = (s: Summary) => `${ms(s.p50)} (p95 ${ms(s.p95)})`;
const ratio = (a: number, b: number) => `${(a / b).toFixed(2)}x`;
const present = <T>(x: T | undefined): T[] => (x === undefined ? [] : [x]);
const ofLocal = (v: number, local: number, unit: (n: number) => string) =>
  `${ratio(v, local)} of local file (${unit(local)})`;

/** The primitives in print order; a null summary is one this machine cannot measure (no setsid). */
const PRIMITIVES: readonly [string, (p: Primitives) => Summary | null][] = [
  ["KV atomic commit, 1 set", (p) => p.commit_set1],
  ["KV atomic commit, claim-shaped (2 checks, 7 mutations)", (p) => p.commit_claim_like],
  ["KV set (a heartbeat)", (p) => p.kv_set],
  ["KV get, 1 key", (p) => p.get1],
  ["KV getMany, 8 keys", (p) => p.get_many8],
  ["KV list, 8 entries", (p) => p.list8],
  ["Deno.Command spawn of `true`, to exit", (p) => p.spawn_true],
  ["Deno.Command spawn of `sh -c true`, to exit", (p) => p.spawn_sh_true],
  ["Deno.Command `sh -c true`, detached: true only", (p) => p.spawn_sh_true_detached],
  ["Deno.Command `sh -c true`, env only", (p) => p.spawn_sh_true_env],
  ["`sh -c true` worker-style (detached, env, piped output)", (p) => p.spawn_sh_true_worker_style],
  ["`setsid sh -c true`, piped output (no detached/env)", (p) => p.spawn_setsid_sh_true_piped],
  ['the worker\'s spawn: `runCommand("true")`, piped, job env', (p) => p.spawn_run_command],
  ["Deno.writeFile of 1 byte (doorbell ring)", (p) => p.write_file],
];

/** B6's figures: each compared at the deepest point with the empty queue, some also absolutely. */
const DEPTH_FIGURES: readonly { name: string; get: (d: DepthPoint) => number; max?: number }[] = [
  { name: "enqueue CLI", get: (d) => d.enqueue.p50 },
  { name: "status CLI", get: (d) => d.status.p50, max: 100 },
  { name: "list --limit 50 CLI", get: (d) => d.list50.p50, max: 150 },
  { name: "list --state scheduled --limit 50 CLI", get: (d) => d.list50_state.p50 },
  { name: "B4 latency p50", get: (d) => d.latency.to_claim.p50 },
];

/** Every line of the table, in print order. */
const TABLE: readonly ((r: Results) => Row[])[] = [
  group({
    id: "P",
    items: (r) =>
      r.primitives === undefined ? [] : PRIMITIVES.flatMap(([figure, get]) => {
        const s = get(r.primitives!);
        return s === null ? [] : [{ figure, s }];
      }),
    lines: [{ figure: (x) => x.figure, value: (x) => p50p95(x.s) }],
  }),
  group({
    id: "P",
    items: (r) => r.primitives?.commit_ceiling ?? [],
    lines: [{
      figure: (c) => `job-sized commits in a row, ${c.processes} process(es) on one file`,
      value: (c) => `${fmt(c.per_s)} commits/s`,
      ref: (c) => `${c.locked_per_commit} "database is locked" per commit`,
    }],
  }),
  group({
    id: "B1",
    items: (r) => present(r.B1),
    lines: [
      {
        figure: "enqueue, one whole CLI process (median)",
        value: (b) => p50p95(b.enqueue),
        ref: (b) =>
          `${ratio(b.enqueue.p50, b.deno_empty.p50)} of empty deno run, ` +
          `${ratio(b.enqueue.p50, b.deno_kv_work.p50)} of its bare KV work`,
        goal: "<= 50 ms",
        met: (b) => b.enqueue.p50 <= 50,
      },
      {
        figure: "  queuectl --version (start-up, no database)",
        value: (b) => p50p95(b.cli_version),
      },
      {
        figure: "  deno run of a script that only imports @stricli/core (npm)",
        value: (b) => p50p95(b.deno_parser),
      },
      { figure: "  baseline: deno run of an empty script", value: (b) => p50p95(b.deno_empty) },
      {
        figure: "  baseline: the same KV work in a bare script (open, config, commit, bell, close)",
        value: (b) => p50p95(b.deno_kv_work),
        ref: (b) => `${ratio(b.deno_kv_work.p50, b.deno_empty.p50)} of empty deno run`,
      },
      { figure: "  baseline: sh -c true", value: (b) => p50p95(b.sh_true) },
    ],
  }),
  group({
    id: "B2",
    items: (r) => present(r.B2),
    lines: [{
      figure: (b) => `bulk enqueue of ${fmt(b.jobs)} jobs (NDJSON)`,
      value: (b) => `${fmt(b.jobs_per_s)} jobs/s`,
      ref: (b) => `${(b.wall_ms / 1000).toFixed(1)} s, peak RSS ${b.peak_rss_mib} MiB`,
      goal: ">= 20,000 jobs/s",
      met: (b) => b.jobs_per_s >= 20_000,
    }],
  }),
  ...B3_LINES,
  group({
    id: "B4",
    items: (r) => present(r.B4),
    lines: [
      {
        figure: "enqueue-to-start latency, 2 idle workers, p50",
        value: (l) => ms(l.to_claim.p50),
        ref: (l) => `to spawn: ${ms(l.to_spawn.p50)}`,
        goal: "<= 10 ms",
        met: (l) => l.to_claim.p50 <= 10,
      },
      { figure: "  p95", value: (l) => ms(l.to_claim.p95) },
      {
        figure: "  p99",
        value: (l) => ms(l.to_claim.p99),
        ref: (l) => `to spawn: ${ms(l.to_spawn.p99)}`,
        goal: "<= 50 ms",
        met: (l) => l.to_claim.p99 <= 50,
      },
    ],
  }),
  group({
    id: "B8",
    items: (r) => present(r.B8),
    lines: [
      {
        figure: (e) =>
          `end to end: true job, ${e.slots} idle slots, created_at to finished_at, p50`,
        value: (e) => ms(e.created_to_finished.p50),
        ref: (e) =>
          `to start: ${ms(e.created_to_started.p50)}; ` +
          `enqueue call to wait's return: ${ms(e.seen_by_caller.p50)}`,
        goal: "<= 6 ms",
        met: (e) => e.created_to_finished.p50 <= 6,
      },
      {
        figure: "  p99",
        value: (e) => ms(e.created_to_finished.p99),
        ref: (e) => `enqueue call to wait's return: ${ms(e.seen_by_caller.p99)}`,
      },
    ],
  }),
  group({
    id: "B8",
    items: (r) => r.B8?.tsp ? [{ t: r.B8.tsp, e: r.B8 }] : [],
    lines: [{
      figure: ({ e }) => `task-spooler: tsp true to tsp -w returning, ${e.slots} idle slots, p50`,
      value: ({ t }) => ms(t.p50),
      ref: ({ t, e }) =>
        `p99 ${ms(t.p99)}; queuectl's p50 at ${ratio(e.created_to_finished.p50, t.p50)} of it`,
    }],
  }),
  group({
    id: "B5",
    items: (r) => present(r.B5),
    lines: [{
      figure: (b) => `retry lateness after backoff (${b.jobs} jobs), p50`,
      value: (b) => ms(b.lateness.p50),
      ref: (b) => `max ${ms(b.lateness.max)}`,
      goal: "<= 50 ms",
      met: (b) => b.lateness.p50 <= 50,
    }],
  }),
  group({
    id: "B6",
    items: (r) => {
      const ds = r.B6?.depths ?? [];
      const empty = ds[0];
      const last = ds[ds.length - 1];
      if (empty === undefined || last === undefined) return [];
      return DEPTH_FIGURES.map(({ name, get, max }) => ({
        name,
        max,
        depth: last.depth,
        v: get(last),
        empty: get(empty),
      }));
    },
    lines: [{
      figure: (x) => `${x.name} at ${fmt(x.depth)} jobs`,
      value: (x) => ms(x.v),
      ref: (x) => `${ratio(x.v, x.empty)} of empty (${ms(x.empty)})`,
      goal: (x) => `${x.max === undefined ? "" : `<= ${x.max} ms at 1M, `}<= 2x empty`,
      // An absolute goal is judged only at 1M jobs; smaller runs leave it open.
      met: (x) =>
        x.depth >= 1_000_000 || x.max === undefined
          ? x.v <= 2 * x.empty && (x.max === undefined || x.v <= x.max)
          : null,
    }],
  }),
  group({
    id: "B7",
    items: (r) => {
      const d = r.B3?.drains.find((x) => x.workers === 2) ?? r.B3?.drains[0];
      if (d === undefined) return [];
      const worst = Math.max(...d.usage.worker_peak_rss_mib);
      const split = d.usage.worker_rss_split_mib[d.usage.worker_peak_rss_mib.indexOf(worst)];
      return [{ d, worst, split, pendingBytes: r.B2?.db_bytes_per_pending_job }];
    },
    lines: [
      {
        figure: ({ d }) =>
          `worker peak RSS (VmHWM, max of ${d.usage.worker_peak_rss_mib.length} process(es), ` +
          `after ${fmt(d.jobs)} jobs)`,
        value: ({ worst }) => `${worst} MiB`,
        ref: ({ split }) =>
          split ? `now: ${split.anon} MiB private + ${split.file} MiB shared code` : "",
        goal: "<= 80 MiB",
        met: ({ worst }) => worst <= 80,
      },
      { figure: "supervisor peak RSS", value: ({ d }) => `${d.usage.supervisor_peak_rss_mib} MiB` },
      {
        figure: ({ d }) =>
          `database bytes per completed job (file + WAL, ${fmt(d.jobs)} jobs, at rest)`,
        value: ({ d }) => `${fmt(d.db_bytes_per_completed_job_at_rest)} B`,
        ref: ({ d, pendingBytes }) =>
          `live, WAL included: ${fmt(d.db_bytes_per_completed_job)} B` +
          (pendingBytes === undefined ? "" : `; pending job: ${fmt(pendingBytes)} B`),
      },
    ],
  }),
  group({
    id: "R",
    items: (r) => present(r.R),
    lines: [
      {
        figure: "enqueue, one whole CLI process, over KV Connect (loopback; median)",
        value: (x) => ms(x.remote.enqueue_one.p50),
        ref: (x) => ofLocal(x.remote.enqueue_one.p50, x.local.enqueue_one.p50, ms),
      },
      {
        figure: (x) => `  bulk enqueue of ${fmt(x.jobs)} jobs, over KV Connect`,
        value: (x) => `${fmt(x.remote.bulk_jobs_per_s)} jobs/s`,
        ref: (x) =>
          ofLocal(x.remote.bulk_jobs_per_s, x.local.bulk_jobs_per_s, (v) => `${fmt(v)} jobs/s`),
      },
      {
        figure: (x) => `  drain ${fmt(x.jobs)} true jobs, ${x.workers} workers, over KV Connect`,
        value: (x) => `${fmt(x.remote.drain_jobs_per_s)} jobs/s`,
        ref: (x) =>
          ofLocal(x.remote.drain_jobs_per_s, x.local.drain_jobs_per_s, (v) => `${fmt(v)} jobs/s`),
      },
      {
        figure:
          "    the same, server answering after the commit's body (as denokv: 40 ms ACK wait)",
        value: (x) => `${fmt(x.remote_late_drain_jobs_per_s)} jobs/s`,
        ref: (x) =>
          ofLocal(
            x.remote_late_drain_jobs_per_s,
            x.local.drain_jobs_per_s,
            (v) => `${fmt(v)} jobs/s`,
          ),
      },
      {
        figure: "  enqueue-to-start latency, idle workers, p50, over KV Connect",
        value: (x) => ms(x.remote.wake.p50),
        ref: (x) => ofLocal(x.remote.wake.p50, x.local.wake.p50, ms),
      },
    ],
  }),
];

/** The table's rows for whatever `results` holds, in the order they are printed. */
export function buildTable(results: Results): Row[] {
  return TABLE.flatMap((rows) => rows(results));
}
