/**
 * Slots (issue #17): drains N jobs with `worker start --count C --processes P` for each `C:P`
 * given, and reports jobs per second and the worker tree's peak RSS (the supervisor plus every
 * worker process, each one's VmHWM). Runs interleave, A B A B …, so drift hits each alike.
 *
 * ```sh
 * deno run -A bench/lab/slots_drain.ts [--jobs 1000] [--reps 2] [--command true] 2:1 2:2 32:2
 * ```
 *
 * @module
 */
import { listWorkers } from "../../src/store/mod.ts";
import { bulkEnqueue } from "../enqueue_workloads.ts";
import { stopWorkers, TempDb, waitFinished } from "../lib.ts";
import { loadavg, procMemory } from "../proc.ts";

const argv = [...Deno.args];
const flag = (name: string, def: string) => {
  const i = argv.indexOf(name);
  if (i < 0) return def;
  const [value] = argv.splice(i, 2).slice(1);
  return value!;
};
const n = Number(flag("--jobs", "1000"));
const reps = Number(flag("--reps", "2"));
const command = flag("--command", "true");
const splits = argv.map((a) => a.split(":").map(Number) as [number, number]);

/** One drain with `count` slots over `processes` processes. */
async function drain(count: number, processes: number) {
  const db = await TempDb.create(Deno.makeTempDirSync(), `slots-${count}-${processes}`);
  const store = await db.open();
  try {
    await bulkEnqueue(db, n, JSON.stringify({ command }), "slots");
    const t0 = performance.now();
    const out = await db.cliOk([
      "worker",
      "start",
      "--count",
      String(count),
      "--processes",
      String(processes),
      "--detach",
    ]);
    const supervisorPid = Number(out.stdout.match(/supervisor pid (\d+)/)![1]);
    const pids = (await listWorkers(store)).map((w) => w.pid);
    let peakKiB = 0;
    const sample = setInterval(() => {
      const kib = [supervisorPid, ...pids].reduce((s, p) => s + (procMemory(p)?.hwmKiB ?? 0), 0);
      peakKiB = Math.max(peakKiB, kib);
    }, 100);
    await waitFinished(store, n, 300_000, 20);
    const wallMs = performance.now() - t0;
    clearInterval(sample);
    await stopWorkers(db, { supervisorPid, startCliMs: 0 }, pids);
    return {
      count,
      processes,
      jobsPerS: Math.round(n / (wallMs / 1000)),
      treeMiB: Math.round(peakKiB / 1024),
      load: loadavg()[0],
    };
  } finally {
    store.close();
    await db.remove();
  }
}

for (let r = 0; r < reps; r++) {
  for (const [count, processes] of splits) {
    const d = await drain(count, processes);
    console.log(
      `--count ${d.count} --processes ${d.processes}: ${d.jobsPerS} jobs/s, ` +
        `tree peak RSS ${d.treeMiB} MiB (load ${d.load})`,
    );
  }
}
