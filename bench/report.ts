/**
 * Renders a bench results file as Markdown, for docs/PERFORMANCE.md.
 *
 * ```sh
 * deno run -A bench/report.ts [bench/results.json]
 * ```
 *
 * @module
 */
import { fileURLToPath } from "node:url";
import type { Row } from "./format.ts";

const path = Deno.args[0] ?? fileURLToPath(new URL("results.json", import.meta.url));
// deno-lint-ignore no-explicit-any
const doc: any = JSON.parse(await Deno.readTextFile(path));
const m = doc.machine;
const cell = (s: string) => s.replaceAll("|", "\\|").trim();

const lines: string[] = [];
lines.push(
  `Run of ${m.date.slice(0, 16).replace("T", " ")} UTC, ${doc.mode}, ${doc.duration_s} s; ` +
    `${m.nproc} x ${m.cpu_model}, ${fmt(m.mem_total_mib)} MiB, Linux ${m.kernel}, ` +
    `Deno ${m.deno}; commit \`${String(m.git_commit).slice(0, 12)}\`` +
    `${m.git_dirty ? " plus uncommitted changes" : ""}. Load average (1/5/15 min): ` +
    `${doc.load.start.join(" / ")} at the start, ${doc.load.end.join(" / ")} at the end.`,
);
lines.push("");
lines.push("| id | figure | value | baseline / ratio | goal | met |");
lines.push("| --- | --- | --- | --- | --- | --- |");
for (const r of doc.table as Row[]) {
  const met = r.met === null ? "" : r.met ? "yes" : "**no**";
  lines.push(
    `| ${r.id} | ${cell(r.figure)} | ${cell(r.value)} | ${cell(r.ref)} | ${
      cell(r.goal)
    } | ${met} |`,
  );
}
const b3 = doc.results.B3;
if (b3) {
  lines.push("");
  lines.push("B3 per job (means, ms per job per worker, from the job and attempt records):");
  lines.push("");
  lines.push(
    "| workers | claim + set-up | command | finish + loop | cycle | machine CPU/job | " +
      "worker CPU/job | shell CPU/job | machine busy |",
  );
  lines.push("| --- | --- | --- | --- | --- | --- | --- | --- | --- |");
  for (const d of b3.drains) {
    const t = d.timeline;
    const u = d.usage;
    lines.push(
      `| ${d.workers} | ${t.claim_and_setup_ms} | ${t.command_ms} | ${t.finish_and_loop_ms} | ` +
        `${t.cycle_ms} | ${d.machine_cpu_ms_per_job} | ${u.worker_cpu_ms_per_job} | ` +
        `${u.shell_cpu_ms_per_job} | ${Math.round(d.machine_cpu_busy * 100)}% |`,
    );
  }
}
const p = doc.results.profile;
if (p) {
  lines.push("");
  lines.push(
    `Profile: ${p.workers} workers with the probe, ${p.jobs} jobs, ${fmt(p.steady_jobs_per_s)} ` +
      `jobs/s, ${p.cycle_ms} ms per job per worker; CPU per job: worker ${p.cpu_ms_per_job.worker} ` +
      `ms, shells ${p.cpu_ms_per_job.shells} ms. Worker memory at stop (MiB): ` +
      // deno-lint-ignore no-explicit-any
      p.worker_memory_mib.map((m: any) =>
        `RSS ${m.rss}, V8 heap used/total ${m.heap_used}/${m.heap_total}, external ${m.external}`
      ).join("; ") + ".",
  );
  lines.push("");
  lines.push("| call | per job | mean ms | p50 ms | ms per job |");
  lines.push("| --- | --- | --- | --- | --- |");
  for (const [op, o] of Object.entries(p.ops) as [string, Record<string, number>][]) {
    if (o.ms_per_job! < 0.02) continue;
    lines.push(`| ${cell(op)} | ${o.per_job} | ${o.mean_ms} | ${o.p50_ms} | ${o.ms_per_job} |`);
  }
  if (p.one_cycle.length) {
    lines.push("");
    lines.push("One job cycle of one worker (offset from the spawn, ms; duration, ms; call):");
    lines.push("");
    lines.push("```text");
    for (const e of p.one_cycle) {
      lines.push(`+${e.at_ms.toFixed(2).padStart(7)}  ${e.ms.toFixed(2).padStart(6)}  ${e.op}`);
    }
    lines.push("```");
  }
}
const pe = doc.results.profile_enqueue;
if (pe) {
  lines.push("");
  lines.push(
    `Profile of \`enqueue --file\` with ${fmt(pe.jobs)} jobs: ${fmt(pe.wall_ms)} ms wall ` +
      `(${fmt(pe.process_ms)} ms inside the process, CPU ${fmt(pe.cpu_ms)} ms); ` +
      `${pe.commits} commits of ${pe.jobs_per_commit} jobs, ${pe.commit_mean_ms} ms each ` +
      `(up to two in flight), ${fmt(pe.commit_busy_ms ?? pe.commit_ms)} ms with a commit in ` +
      `flight; other KV calls ${fmt(pe.other_kv_ms)} ms; the rest (start-up, parsing, ` +
      `validation, the first batch, close) ${fmt(pe.rest_ms)} ms.`,
  );
}
const b6 = doc.results.B6;
if (b6) {
  lines.push("");
  lines.push(`B6 by depth (medians in ms; the queue is filled with ${b6.filled_with}):`);
  lines.push("");
  lines.push(
    "| depth | fill jobs/s | db MiB | enqueue | status | list --limit 50 | " +
      "list --state scheduled --limit 50 | B4 p50 | B4 p99 |",
  );
  lines.push("| --- | --- | --- | --- | --- | --- | --- | --- | --- |");
  for (const d of b6.depths) {
    lines.push(
      `| ${fmt(d.depth)} | ${d.fill_jobs_per_s ? fmt(d.fill_jobs_per_s) : "-"} | ${d.db_mib} | ` +
        `${d.enqueue.p50} | ${d.status.p50} | ${d.list50.p50} | ${d.list50_state.p50} | ` +
        `${d.latency.to_claim.p50} | ${d.latency.to_claim.p99} |`,
    );
  }
  if (b6.capped) lines.push("", `Note: ${b6.capped}.`);
}
for (const e of doc.errors ?? []) lines.push("", `Error: ${String(e).split("\n")[0]}`);
console.log(lines.join("\n"));

function fmt(n: number): string {
  return n.toLocaleString("en-US");
}
