/**
 * The printed output after a run: the table, and the extra sections with the detail behind it.
 *
 * @module
 */
import { fmt, type Row } from "./format.ts";
import type { Results } from "./results.ts";

/** Prints the table with its columns aligned. */
export function printTable(rows: Row[]): void {
  const head: Row = {
    id: "",
    figure: "figure",
    value: "value",
    ref: "baseline / ratio",
    goal: "goal",
    met: null,
  };
  const cells = (r: Row) => [
    r.id,
    r.figure,
    r.value,
    r.ref,
    r.goal,
    r === head ? "met" : r.met === null ? "" : r.met ? "yes" : "NO",
  ];
  const all = [head, ...rows].map(cells);
  const widths = all[0]!.map((_, i) => Math.max(...all.map((c) => c[i]!.length)));
  for (const [i, c] of all.entries()) {
    console.log(c.map((x, j) => x.padEnd(widths[j]!)).join("  ").trimEnd());
    if (i === 0) console.log(widths.map((w) => "-".repeat(w)).join("  "));
  }
}

/** Prints the sections the table has no room for: B3 per job, the profiles, B6 by depth. */
export function printDetails(results: Results): void {
  if (results.B3) {
    console.log("\nB3 per job, from the job and attempt records (ms, means per job per worker):");
    console.log(
      "workers  claim+setup  command  finish+loop  cycle  | cpu/job: machine  workers  shells  supervisor  | machine busy",
    );
    for (const d of results.B3.drains) {
      const t = d.timeline;
      const u = d.usage;
      console.log(
        `${String(d.workers).padStart(7)}  ${t.claim_and_setup_ms.toFixed(2).padStart(11)}  ` +
          `${t.command_ms.toFixed(2).padStart(7)}  ${
            t.finish_and_loop_ms.toFixed(2).padStart(11)
          }  ` +
          `${t.cycle_ms.toFixed(2).padStart(5)}  | ${
            d.machine_cpu_ms_per_job.toFixed(2).padStart(16)
          }  ` +
          `${u.worker_cpu_ms_per_job.toFixed(2).padStart(7)}  ${
            u.shell_cpu_ms_per_job.toFixed(2).padStart(6)
          }  ` +
          `${u.supervisor_cpu_ms_per_job.toFixed(2).padStart(10)}  | ${
            Math.round(d.machine_cpu_busy * 100)
          }%`,
      );
    }
  }
  if (results.profile) {
    const p = results.profile;
    console.log(
      `\nProfile: ${p.workers} workers with the probe, ${p.jobs} jobs, ${
        fmt(p.steady_jobs_per_s)
      } ` +
        `jobs/s steady, ${p.cycle_ms} ms per job per worker; CPU/job: worker ${p.cpu_ms_per_job.worker} ms, ` +
        `shells ${p.cpu_ms_per_job.shells} ms; memory at stop (MiB): ` +
        p.worker_memory_mib.map((m) =>
          `rss ${m.rss}, V8 heap ${m.heap_used}/${m.heap_total}, external ${m.external}`
        ).join("; "),
    );
    console.log(
      "call                                              per job  mean ms  p50 ms  ms/job",
    );
    for (const [op, o] of Object.entries(p.ops)) {
      console.log(
        `${op.padEnd(48)}  ${o.per_job.toFixed(2).padStart(7)}  ${
          o.mean_ms.toFixed(3).padStart(7)
        }  ` +
          `${o.p50_ms.toFixed(3).padStart(6)}  ${o.ms_per_job.toFixed(3).padStart(6)}`,
      );
    }
    if (p.one_cycle.length) {
      console.log("one job cycle of one worker (start offset ms, duration ms, call):");
      for (const e of p.one_cycle) {
        console.log(
          `  +${e.at_ms.toFixed(2).padStart(7)}  ${e.ms.toFixed(2).padStart(6)}  ${e.op}`,
        );
      }
    }
  }
  if (results.profile_enqueue) {
    const e = results.profile_enqueue;
    console.log(
      `\nProfile of enqueue --file with ${fmt(e.jobs)} jobs: ${fmt(e.wall_ms)} ms wall ` +
        `(${fmt(e.process_ms)} ms inside the process, CPU ${fmt(e.cpu_ms)} ms); ` +
        `${e.commits} commits of ${e.jobs_per_commit} jobs, ${e.commit_mean_ms} ms each ` +
        `(up to two in flight), ${fmt(e.commit_busy_ms)} ms with a commit in flight; ` +
        `other KV ${fmt(e.other_kv_ms)} ms; the rest (start-up, parsing, validation, ` +
        `the first batch, close) ${fmt(e.rest_ms)} ms`,
    );
  }
  if (results.B6) {
    console.log(`\nB6 by depth (medians, ms; filled with ${results.B6.filled_with}):`);
    console.log(
      "    depth  fill jobs/s   db MiB  enqueue   status  list 50  list state 50  B4 p50  B4 p99",
    );
    for (const d of results.B6.depths) {
      console.log(
        `${fmt(d.depth).padStart(9)}  ${
          (d.fill_jobs_per_s ? fmt(d.fill_jobs_per_s) : "-").padStart(11)
        }  ` +
          `${d.db_mib.toFixed(1).padStart(7)}  ${d.enqueue.p50.toFixed(1).padStart(7)}  ` +
          `${d.status.p50.toFixed(1).padStart(7)}  ${d.list50.p50.toFixed(1).padStart(7)}  ` +
          `${d.list50_state.p50.toFixed(1).padStart(13)}  ${
            d.latency.to_claim.p50.toFixed(1).padStart(6)
          }  ` +
          `${d.latency.to_claim.p99.toFixed(1).padStart(6)}`,
      );
    }
  }
}
