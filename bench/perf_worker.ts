/**
 * Where a worker's CPU goes, by thread and process, with Linux `perf`: drains N `true` jobs with
 * one `worker run` process started under `perf record` (which also follows the job processes
 * it spawns), then prints CPU ms per job for each thread name (`deno` = the main JS thread,
 * `sw-0` = Deno KV's SQLite thread, `V8 DefaultWorke` = V8's GC and compiler helpers) and each job
 * process (`setsid`, `sh`). Not part of `deno task bench`: it needs `perf` and a quiet machine.
 *
 * ```sh
 * deno run -A bench/perf_worker.ts [jobs=3000]
 * ```
 *
 * @module
 */
import { countJobs } from "../src/store/mod.ts";
import { bulkEnqueue } from "./enqueue_workloads.ts";
import { CONFIG, DENO, MAIN, ROOT, TempDb, waitUntil } from "./lib.ts";

const n = Number(Deno.args[0] ?? "3000");
const tmp = await Deno.makeTempDir({ prefix: "queuectl-perf-" });
const db = await TempDb.create(tmp, "perf");
const data = `${tmp}/perf.data`;
try {
  await bulkEnqueue(db, n, '{"command":"true"}', "perf");
  const store = await db.open();
  const child = new Deno.Command("perf", {
    args: [
      "record",
      "-F",
      "2000",
      "-o",
      data,
      "--",
      DENO,
      "run",
      "-A",
      "--unstable-kv",
      "--config",
      CONFIG,
      MAIN,
      "worker",
      "run",
      "--db",
      db.path,
    ],
    env: db.env,
    cwd: ROOT,
    stdin: "null",
    stdout: "null",
    stderr: "null",
  }).spawn();
  const t0 = performance.now();
  await waitUntil(
    `${n} jobs`,
    async () => (await countJobs(store)).completed >= n,
    600_000,
    50,
  );
  const wall = performance.now() - t0;
  store.close();
  // perf does not forward signals: stop the worker itself (a child of perf, started by us).
  const pids = new TextDecoder().decode(
    new Deno.Command("pgrep", { args: ["-P", String(child.pid)] }).outputSync().stdout,
  ).trim().split("\n").filter(Boolean).map(Number);
  for (const pid of pids) Deno.kill(pid, "SIGTERM");
  await child.status;
  const report = new TextDecoder().decode(
    new Deno.Command("perf", {
      args: ["report", "-i", data, "--no-children", "--sort", "comm", "--stdio", "-g", "none"],
      stderr: "null",
    }).outputSync().stdout,
  );
  const total = Number(report.match(/Event count \(approx\.\): (\d+)/)?.[1] ?? NaN) / 1e6;
  console.log(
    `${n} jobs, 1 worker under perf: ${(wall / 1000).toFixed(1)} s wall, ` +
      `${(n / (wall / 1000)).toFixed(0)} jobs/s; CPU ${(total / n).toFixed(2)} ms per job ` +
      `(worker start-up included)`,
  );
  console.log("thread or process        share   CPU ms per job");
  for (const line of report.split("\n")) {
    const m = line.match(/^\s+([\d.]+)%\s+(.+?)\s*$/);
    if (!m) continue;
    const share = Number(m[1]);
    console.log(
      `${m[2]!.padEnd(22)}  ${share.toFixed(1).padStart(5)}%  ${
        (total * share / 100 / n).toFixed(3).padStart(8)
      }`,
    );
  }
} finally {
  await Deno.remove(tmp, { recursive: true }).catch(() => {});
}
