/**
 * CPU per job of a drain, for A/B comparisons on a busy machine: wall time is noisy here, CPU
 * time much less so. Enqueues N `true` jobs (or `--command`'s), starts W `worker run` processes the way the
 * supervisor starts them, waits until every job completed, and reads each worker's own CPU and
 * its job processes' CPU (`/proc/PID/stat`) before stopping it. With several trees (`--root`,
 * repeatable) the runs interleave, A B A B …, so that drift hits every tree alike.
 *
 * ```sh
 * deno run -A bench/lab/cpu_drain.ts [--jobs 2000] [--workers 1] [--slots 1] [--reps 3] [--root DIR]... \
 *   [--command "sleep 0"] [--deno-flag=--v8-flags=--max-semi-space-size=1]
 * ```
 *
 * `--slots S` gives each worker S slots (`worker run --slots S`), as `worker start --count` does
 * (16 a process at `--count 32`). With `QUEUECTL_BENCH_PROBE_DIR` set and
 * `--deno-flag=--preload=bench/kv_probe.ts`, each worker's KV calls are tallied there (one run
 * per directory: `deno run -A bench/lab/probe_sum.ts DIR JOBS` sums them per job).
 *
 * ```sh
 * ```
 *
 * @module
 */
import { countJobs } from "../../src/store/mod.ts";
import { bulkEnqueue } from "../enqueue_workloads.ts";
import { ROOT, spawnWorkerRun, TempDb, waitUntil } from "../lib.ts";
import { loadavg, procCpu, procMemory } from "../proc.ts";

const argv = [...Deno.args];
const flag = (name: string, def: string) => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1]! : def;
};
const n = Number(flag("--jobs", "2000"));
const workers = Number(flag("--workers", "1"));
const reps = Number(flag("--reps", "3"));
const slots = Number(flag("--slots", "1"));
// `true` is a dash builtin; a program such as `sleep 0` shows what a shell costs a real job.
const command = flag("--command", "true");
const roots = argv.flatMap((a, i) => (a === "--root" ? [argv[i + 1]!] : []));
if (roots.length === 0) roots.push(ROOT);
const denoFlags = argv.filter((a) => a.startsWith("--deno-flag=")).map((a) => a.slice(12));

interface Run {
  root: string;
  jobsPerS: number;
  workerMs: number;
  shellMs: number;
  hwmMiB: number;
  load: number;
}

async function once(root: string): Promise<Run> {
  const tmp = await Deno.makeTempDir({ prefix: "queuectl-cpu-" });
  const db = await TempDb.create(tmp, "cpu");
  try {
    await bulkEnqueue(db, n, JSON.stringify({ command }), "cpu");
    const store = await db.open();
    const load = loadavg()[0];
    const t0 = performance.now();
    const children = Array.from(
      { length: workers },
      () => spawnWorkerRun(db, { root, denoFlags, slots }),
    );
    await waitUntil(`${n} jobs`, async () => (await countJobs(store)).completed >= n, 600_000, 20);
    const wall = performance.now() - t0;
    let workerMs = 0;
    let shellMs = 0;
    let hwm = 0;
    for (const c of children) {
      const cpu = procCpu(c.pid)!;
      workerMs += cpu.userMs + cpu.sysMs;
      shellMs += cpu.childrenMs;
      hwm = Math.max(hwm, procMemory(c.pid)?.hwmKiB ?? 0);
      c.kill("SIGTERM");
    }
    await Promise.all(children.map((c) => c.status));
    store.close();
    return {
      root,
      jobsPerS: n / (wall / 1000),
      workerMs: workerMs / n,
      shellMs: shellMs / n,
      hwmMiB: hwm / 1024,
      load,
    };
  } finally {
    await Deno.remove(tmp, { recursive: true }).catch(() => {});
  }
}

const runs: Run[] = [];
for (let r = 0; r < reps; r++) {
  for (const root of roots) {
    const x = await once(root);
    runs.push(x);
    console.log(
      `${root.padEnd(24)} ${x.jobsPerS.toFixed(0).padStart(5)} jobs/s  worker ${
        x.workerMs.toFixed(3)
      } ms/job  shells ${x.shellMs.toFixed(3)} ms/job  peak RSS ${x.hwmMiB.toFixed(1)} MiB  load ${
        x.load.toFixed(2)
      }`,
    );
  }
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
console.log(
  `median of ${reps}, ${n} jobs of ${
    JSON.stringify(command)
  }, ${workers} worker(s) of ${slots} slot(s):`,
);
for (const root of roots) {
  const mine = runs.filter((x) => x.root === root);
  console.log(
    `${root.padEnd(24)} ${median(mine.map((x) => x.jobsPerS)).toFixed(0).padStart(5)} jobs/s  ` +
      `worker ${median(mine.map((x) => x.workerMs)).toFixed(3)} ms/job  shells ${
        median(mine.map((x) => x.shellMs)).toFixed(3)
      } ms/job  peak RSS ${median(mine.map((x) => x.hwmMiB)).toFixed(1)} MiB`,
  );
}
