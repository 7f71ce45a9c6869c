/**
 * The printed table: one row a figure, with its baseline or ratio and the goal of issue #6. The
 * same rows go to results.json, which bench/report.ts reprints.
 *
 * @module
 */
import type { DepthPoint } from "./depth.ts";
import { fmt, ms, type Row } from "./format.ts";
import type { Results } from "./results.ts";
import type { Summary } from "./stats.ts";

/** The table's rows for whatever `results` holds, in the order they are printed. */
export function buildTable(results: Results): Row[] {
  const rows: Row[] = [];
  const add = (r: Row) => rows.push(r);
  const p50p95 = (s: Summary) => `${ms(s.p50)} (p95 ${ms(s.p95)})`;
  const ratio = (a: number, b: number) => `${(a / b).toFixed(2)}x`;

  if (results.primitives) {
    const p = results.primitives;
    const prim = (figure: string, s: Summary) =>
      add({ id: "P", figure, value: p50p95(s), ref: "", goal: "", met: null });
    prim("KV atomic commit, 1 set", p.commit_set1);
    prim("KV atomic commit, claim-shaped (2 checks, 7 mutations)", p.commit_claim_like);
    prim("KV set (a heartbeat)", p.kv_set);
    prim("KV get, 1 key", p.get1);
    prim("KV getMany, 8 keys", p.get_many8);
    prim("KV list, 8 entries", p.list8);
    prim("Deno.Command spawn of `true`, to exit", p.spawn_true);
    prim("Deno.Command spawn of `sh -c true`, to exit", p.spawn_sh_true);
    prim("Deno.Command `sh -c true`, detached: true only", p.spawn_sh_true_detached);
    prim("Deno.Command `sh -c true`, env only", p.spawn_sh_true_env);
    prim("`sh -c true` worker-style (detached, env, piped output)", p.spawn_sh_true_worker_style);
    if (p.spawn_setsid_sh_true_piped) {
      prim("`setsid sh -c true`, piped output (no detached/env)", p.spawn_setsid_sh_true_piped);
    }
    if (p.spawn_run_command) {
      prim('the worker\'s spawn: `runCommand("true")`, piped, job env', p.spawn_run_command);
    }
    prim("Deno.writeFile of 1 byte (doorbell ring)", p.write_file);
    for (const c of p.commit_ceiling) {
      add({
        id: "P",
        figure: `job-sized commits in a row, ${c.processes} process(es) on one file`,
        value: `${fmt(c.per_s)} commits/s`,
        ref: `${c.locked_per_commit} "database is locked" per commit`,
        goal: "",
        met: null,
      });
    }
  }
  if (results.B1) {
    const b = results.B1;
    add({
      id: "B1",
      figure: "enqueue, one whole CLI process (median)",
      value: p50p95(b.enqueue),
      ref: `${ratio(b.enqueue.p50, b.deno_empty.p50)} of empty deno run, ` +
        `${ratio(b.enqueue.p50, b.deno_kv_work.p50)} of its bare KV work`,
      goal: "<= 50 ms",
      met: b.enqueue.p50 <= 50,
    });
    add({
      id: "B1",
      figure: "  queuectl --version (start-up, no database)",
      value: p50p95(b.cli_version),
      ref: "",
      goal: "",
      met: null,
    });
    add({
      id: "B1",
      figure: "  deno run of a script that only imports @stricli/core (npm)",
      value: p50p95(b.deno_parser),
      ref: "",
      goal: "",
      met: null,
    });
    add({
      id: "B1",
      figure: "  baseline: deno run of an empty script",
      value: p50p95(b.deno_empty),
      ref: "",
      goal: "",
      met: null,
    });
    add({
      id: "B1",
      figure: "  baseline: the same KV work in a bare script (open, config, commit, bell, close)",
      value: p50p95(b.deno_kv_work),
      ref: `${ratio(b.deno_kv_work.p50, b.deno_empty.p50)} of empty deno run`,
      goal: "",
      met: null,
    });
    add({
      id: "B1",
      figure: "  baseline: sh -c true",
      value: p50p95(b.sh_true),
      ref: "",
      goal: "",
      met: null,
    });
  }
  if (results.B2) {
    const b = results.B2;
    add({
      id: "B2",
      figure: `bulk enqueue of ${fmt(b.jobs)} jobs (NDJSON)`,
      value: `${fmt(b.jobs_per_s)} jobs/s`,
      ref: `${(b.wall_ms / 1000).toFixed(1)} s, peak RSS ${b.peak_rss_mib} MiB`,
      goal: ">= 20,000 jobs/s",
      met: b.jobs_per_s >= 20_000,
    });
  }
  if (results.B3) {
    const b = results.B3;
    add({
      id: "B3",
      figure: `floor: ${fmt(b.floor1.spawns)} x sh -c true, 1 Deno process`,
      value: `${fmt(b.floor1.per_s)} /s`,
      ref:
        `CPU/spawn: Deno ${b.floor1.parent_cpu_ms_per_spawn} ms, sh ${b.floor1.shell_cpu_ms_per_spawn} ms`,
      goal: "",
      met: null,
    });
    add({
      id: "B3",
      figure: `floor: ${fmt(b.floor2.spawns)} x sh -c true, 2 Deno processes`,
      value: `${fmt(b.floor2.per_s)} /s`,
      ref:
        `CPU/spawn: Deno ${b.floor2.parent_cpu_ms_per_spawn} ms, sh ${b.floor2.shell_cpu_ms_per_spawn} ms`,
      goal: "",
      met: null,
    });
    const durable = b.durable2;
    if (durable) {
      add({
        id: "B3",
        figure: `durable floor: ${fmt(durable.commits)} x (1 commit + sh -c true), 2 processes`,
        value: `${fmt(durable.per_s)} /s`,
        ref: `${ratio(durable.per_s, b.floor2.per_s)} of 2-process floor; ` +
          `${durable.locked_per_commit} "database is locked" per commit`,
        goal: "",
        met: null,
      });
    }
    for (const d of b.drains) {
      const f = d.workers === 1 ? b.floor1 : b.floor2;
      const goal = d.workers === 2 ? ">= 0.5x 2-process floor" : "";
      const ofDurable = durable && d.workers > 1
        ? `; ${ratio(d.jobs_per_s, durable.per_s)} of durable floor`
        : "";
      add({
        id: "B3",
        figure: `drain ${fmt(d.jobs)} true jobs, ${d.workers} worker(s)`,
        value: `${fmt(d.jobs_per_s)} jobs/s`,
        ref: `${ratio(d.jobs_per_s, f.per_s)} of ${f.processes}-process floor${ofDurable}`,
        goal,
        met: d.workers === 2 ? d.jobs_per_s >= 0.5 * f.per_s : null,
      });
      add({
        id: "B3",
        figure: `  ${d.workers} worker(s), steady state (start-up ${
          fmt(d.startup_ms)
        } ms excluded)`,
        value: `${fmt(d.steady_jobs_per_s)} jobs/s`,
        ref: `${ratio(d.steady_jobs_per_s, f.per_s)} of floor`,
        goal: "",
        met: null,
      });
    }
  }
  if (results.B4) {
    const l = results.B4.to_claim;
    add({
      id: "B4",
      figure: "enqueue-to-start latency, 2 idle workers, p50",
      value: ms(l.p50),
      ref: `to spawn: ${ms(results.B4.to_spawn.p50)}`,
      goal: "<= 10 ms",
      met: l.p50 <= 10,
    });
    add({ id: "B4", figure: "  p95", value: ms(l.p95), ref: "", goal: "", met: null });
    add({
      id: "B4",
      figure: "  p99",
      value: ms(l.p99),
      ref: `to spawn: ${ms(results.B4.to_spawn.p99)}`,
      goal: "<= 50 ms",
      met: l.p99 <= 50,
    });
  }
  if (results.B5) {
    const l = results.B5.lateness;
    add({
      id: "B5",
      figure: `retry lateness after backoff (${results.B5.jobs} jobs), p50`,
      value: ms(l.p50),
      ref: `max ${ms(l.max)}`,
      goal: "<= 50 ms",
      met: l.p50 <= 50,
    });
  }
  if (results.B6 && results.B6.depths.length > 0) {
    const ds = results.B6.depths;
    const base = ds[0]!;
    const last = ds[ds.length - 1]!;
    const at = `at ${fmt(last.depth)} jobs`;
    const within = (a: number, b: number) => a <= 2 * b;
    const fig = (name: string, get: (d: DepthPoint) => number, abs: number | null) => {
      const v = get(last);
      const b = get(base);
      const absOk = abs === null ? true : v <= abs;
      const oneMillion = last.depth >= 1_000_000;
      add({
        id: "B6",
        figure: `${name} ${at}`,
        value: ms(v),
        ref: `${ratio(v, b)} of empty (${ms(b)})`,
        goal: `${abs === null ? "" : `<= ${abs} ms at 1M, `}<= 2x empty`,
        met: oneMillion || abs === null ? within(v, b) && absOk : null,
      });
    };
    fig("enqueue CLI", (d) => d.enqueue.p50, null);
    fig("status CLI", (d) => d.status.p50, 100);
    fig("list --limit 50 CLI", (d) => d.list50.p50, 150);
    fig("list --state scheduled --limit 50 CLI", (d) => d.list50_state.p50, null);
    fig("B4 latency p50", (d) => d.latency.to_claim.p50, null);
  }
  if (results.B3) {
    const d = results.B3.drains.find((x) => x.workers === 2) ?? results.B3.drains[0];
    if (d) {
      const worst = Math.max(...d.usage.worker_peak_rss_mib);
      const split = d.usage.worker_rss_split_mib[d.usage.worker_peak_rss_mib.indexOf(worst)];
      add({
        id: "B7",
        figure: `worker peak RSS (VmHWM, max of ${d.workers}, after ${fmt(d.jobs)} jobs)`,
        value: `${worst} MiB`,
        ref: split ? `now: ${split.anon} MiB private + ${split.file} MiB shared code` : "",
        goal: "<= 80 MiB",
        met: worst <= 80,
      });
      add({
        id: "B7",
        figure: "supervisor peak RSS",
        value: `${d.usage.supervisor_peak_rss_mib} MiB`,
        ref: "",
        goal: "",
        met: null,
      });
      add({
        id: "B7",
        figure: `database bytes per completed job (file + WAL, ${fmt(d.jobs)} jobs, at rest)`,
        value: `${fmt(d.db_bytes_per_completed_job_at_rest)} B`,
        ref: `live, WAL included: ${fmt(d.db_bytes_per_completed_job)} B` +
          (results.B2 ? `; pending job: ${fmt(results.B2.db_bytes_per_pending_job)} B` : ""),
        goal: "",
        met: null,
      });
    }
  }
  return rows;
}
