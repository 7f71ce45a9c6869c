/**
 * Sums the tallies bench/kv_probe.ts left in a directory (one file per worker process) and prints
 * each kind of call per job, most frequent first, with the workers' CPU per job: what
 * `cpu_drain.ts` run with the probe preloaded spent its KV calls on.
 *
 * ```sh
 * deno run -A bench/lab/probe_sum.ts DIR JOBS
 * ```
 *
 * @module
 */
import { ticksPerSecond } from "../proc.ts";

const [dir, jobsArg] = Deno.args;
if (!dir || !jobsArg) {
  console.error("usage: probe_sum.ts DIR JOBS");
  Deno.exit(2);
}
const jobs = Number(jobsArg);
const merged = new Map<string, { count: number; totalMs: number }>();
let ticks = 0;
for (const e of Deno.readDirSync(dir)) {
  const d = JSON.parse(Deno.readTextFileSync(`${dir}/${e.name}`));
  ticks += d.cpuTicks.user + d.cpuTicks.sys;
  for (
    const [op, t] of Object.entries(d.tallies as Record<string, { count: number; totalMs: number }>)
  ) {
    const m = merged.get(op) ?? { count: 0, totalMs: 0 };
    m.count += t.count;
    m.totalMs += t.totalMs;
    merged.set(op, m);
  }
}
const kv = /^(get|getMany|set|list|commit)/;
let calls = 0;
for (const [op, t] of [...merged].sort((a, b) => b[1].count - a[1].count)) {
  if (kv.test(op)) calls += t.count;
  console.log(
    `${(t.count / jobs).toFixed(3).padStart(8)} /job  ${
      (t.totalMs / t.count).toFixed(2).padStart(7)
    } ms  ${op}`,
  );
}
console.log(`KV calls per job: ${(calls / jobs).toFixed(2)}`);
console.log(
  `worker CPU per job (probe ticks): ${(ticks * 1000 / ticksPerSecond() / jobs).toFixed(3)} ms`,
);
