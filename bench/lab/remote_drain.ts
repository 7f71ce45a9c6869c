/**
 * A drain over KV Connect with its KV calls tallied, for issue #17: starts the test server
 * (`tests/support/kv_connect_server.ts`) in its own process, bulk-enqueues `--jobs` `true` jobs,
 * drains them with `--workers` `worker run` processes that preload bench/kv_probe.ts, and prints
 * the drain rate (first to last `finished_at`), the server's CPU time, and each kind of KV call:
 * count, p50, p95 and the total per job.
 *
 * ```sh
 * deno run -A bench/lab/remote_drain.ts [--jobs 400] [--workers 2] [--early-headers 0|1]
 * ```
 *
 * `--early-headers 0` runs the server as before the #17 fix (headers after the body is read).
 *
 * @module
 */
import { CONFIG, DENO, MAIN, ROOT, run, waitUntil, writeNdjson } from "../lib.ts";
import { procCpu } from "../proc.ts";
import { quantile } from "../stats.ts";
import { TRUE_SPEC } from "../workload_env.ts";
import { listening, startKvServer } from "../kv_server.ts";

const argv = [...Deno.args];
const flag = (name: string, def: string) => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1]! : def;
};
const jobs = Number(flag("--jobs", "400"));
const workers = Number(flag("--workers", "2"));
const early = flag("--early-headers", "1");
const token = "queuectl-lab-token-0123";
const dir = await Deno.makeTempDir({ prefix: "remote-drain-" });

const server = startKvServer({ token, early, path: `${dir}/server.sqlite` });
const children: Deno.ChildProcess[] = [];
try {
  const url = await listening(server);
  const env = { QUEUECTL_DB: url, DENO_KV_ACCESS_TOKEN: token, NO_COLOR: "1" };
  const cli = async (args: string[]) => {
    const out = await run(DENO, ["run", "-A", "--config", CONFIG, MAIN, ...args], { env });
    if (out.code !== 0) throw new Error(`queuectl ${args.join(" ")}: ${out.stderr.trim()}`);
    return out.stdout;
  };
  await writeNdjson(`${dir}/jobs.ndjson`, TRUE_SPEC, jobs);
  await cli(["enqueue", "--file", `${dir}/jobs.ndjson`]);
  const probeDir = `${dir}/probe`;
  await Deno.mkdir(probeDir);
  const cpu0 = serverCpuMs(server.pid);
  for (let i = 0; i < workers; i++) {
    children.push(
      new Deno.Command(DENO, {
        args: [
          "run",
          "-A",
          "--preload",
          `${ROOT}/bench/kv_probe.ts`,
          "--config",
          CONFIG,
          MAIN,
          "worker",
          "run",
        ],
        env: { ...env, QUEUECTL_BENCH_PROBE_DIR: probeDir },
        stdin: "null",
        stdout: "null",
        stderr: "null",
      }).spawn(),
    );
  }
  await waitUntil(
    "the drain",
    async () => {
      return JSON.parse(await cli(["status", "--json"])).counts.completed >= jobs;
    },
    60_000 + jobs * 500,
    250,
  );
  const cpu1 = serverCpuMs(server.pid);
  for (const c of children) c.kill("SIGTERM");
  await Promise.all(children.map((c) => c.status));
  children.length = 0;
  const done: { finished_at: string }[] = JSON.parse(
    await cli(["list", "--state", "completed", "--limit", "1000", "--json"]),
  );
  const fin = done.map((j) => Date.parse(j.finished_at)).sort((a, b) => a - b);
  const spanS = (fin[fin.length - 1]! - fin[0]!) / 1000;
  console.log(
    `${jobs} jobs, ${workers} workers, early headers ${early}: ` +
      `${Math.round((fin.length - 1) / spanS)} jobs/s; server CPU ${
        ((cpu1 - cpu0) / 1000).toFixed(1)
      } s`,
  );
  const merged = new Map<string, number[]>();
  for await (const e of Deno.readDir(probeDir)) {
    const dump = JSON.parse(await Deno.readTextFile(`${probeDir}/${e.name}`));
    for (const [op, t] of Object.entries(dump.tallies as Record<string, { samples: number[] }>)) {
      merged.set(op, [...(merged.get(op) ?? []), ...t.samples]);
    }
  }
  console.log("op                                        count    p50    p95  ms/job");
  for (const [op, s] of [...merged].sort((a, b) => b[1].length - a[1].length)) {
    const total = s.reduce((a, b) => a + b, 0);
    console.log(
      `${op.slice(0, 40).padEnd(40)} ${String(s.length).padStart(7)} ${
        quantile(s, 0.5).toFixed(1).padStart(6)
      } ${quantile(s, 0.95).toFixed(1).padStart(6)} ${(total / jobs).toFixed(2).padStart(7)}`,
    );
  }
} finally {
  for (const c of children) c.kill("SIGTERM");
  server.kill("SIGTERM");
  await server.status;
  await Deno.remove(dir, { recursive: true }).catch(() => {});
}

/** The server's user + system CPU time so far, ms. */
function serverCpuMs(pid: number): number {
  const c = procCpu(pid);
  return c ? c.userMs + c.sysMs : NaN;
}
