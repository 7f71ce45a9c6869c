/**
 * The profiles ("PROF"): a drain by 2 `worker run` processes, and one bulk `enqueue --file`, each
 * with bench/kv_probe.ts preloaded to tally its KV calls, spawns and file writes.
 *
 * @module
 */
import { bulkEnqueue } from "./enqueue_workloads.ts";
import { CONFIG, DENO, MAIN, ROOT, TempDb, waitFinished } from "./lib.ts";
import { ticksPerSecond } from "./proc.ts";
import { quantile } from "./stats.ts";
import { allJobs, type Env, TRUE_SPEC } from "./workload_env.ts";

/** Per-call tallies of the probe, summed over the profiled workers. */
export interface ProfileOp {
  /** Calls per job. */
  per_job: number;
  /** Mean ms per call. */
  mean_ms: number;
  /** Median ms per call. */
  p50_ms: number;
  /** ms per job (calls per job x mean). */
  ms_per_job: number;
}

/** The profiled drain: 2 `worker run` processes with the probe preloaded. */
export interface Profile {
  /** Workers. */
  workers: number;
  /** Jobs. */
  jobs: number;
  /** Wall ms from the first claim to the last finish. */
  steady_ms: number;
  /** Jobs per second from the first claim to the last finish. */
  steady_jobs_per_s: number;
  /** Wall ms per job per worker (workers x steady_ms / jobs). */
  cycle_ms: number;
  /** Every kind of call, by name. */
  ops: Record<string, ProfileOp>;
  /** One worker's calls between two consecutive spawns: one job cycle, in order. */
  one_cycle: { op: string; at_ms: number; ms: number }[];
  /** Worker CPU ms per job (user + sys), and the job shells' CPU ms per job. */
  cpu_ms_per_job: { worker: number; shells: number };
  /** Each worker's memory when it stopped (`Deno.memoryUsage()`), MiB. */
  worker_memory_mib: { rss: number; heap_total: number; heap_used: number; external: number }[];
}

interface ProbeDump {
  pid: number;
  memory?: { rss: number; heapTotal: number; heapUsed: number; external: number };
  cpuTicks: { user: number; sys: number; childrenUser: number; childrenSys: number };
  tallies: Record<string, { count: number; totalMs: number; samples: number[] }>;
  trace: { op: string; at: number; ms: number }[];
}

/**
 * Drains jobs with 2 worker processes started exactly as the supervisor starts them (the hidden
 * `worker run`), plus `--preload bench/kv_probe.ts`, and tallies their KV calls and spawns.
 */
export async function profile(env: Env): Promise<Profile> {
  const n = env.sizes.profileJobs;
  const workers = 2;
  const db = await TempDb.create(env.tmp, "profile");
  const store = await db.open();
  const probeDir = `${db.dir}/probe`;
  await Deno.mkdir(probeDir);
  const children: Deno.ChildProcess[] = [];
  try {
    await bulkEnqueue(db, n, TRUE_SPEC, "profile");
    for (let i = 0; i < workers; i++) {
      children.push(
        new Deno.Command(DENO, {
          args: [
            "run",
            "-A",
            "--unstable-kv",
            "--preload",
            `${ROOT}/bench/kv_probe.ts`,
            "--config",
            CONFIG,
            MAIN,
            "worker",
            "run",
            "--db",
            db.path,
          ],
          env: { ...db.env, QUEUECTL_BENCH_PROBE_DIR: probeDir },
          cwd: ROOT,
          stdin: "null",
          stdout: "null",
          stderr: "null",
        }).spawn(),
      );
    }
    await waitFinished(store, n, Math.max(60_000, n * 50), 20);
    for (const c of children) c.kill("SIGTERM");
    await Promise.all(children.map((c) => c.status));
    children.length = 0;
    const dumps: ProbeDump[] = [];
    for await (const e of Deno.readDir(probeDir)) {
      dumps.push(JSON.parse(await Deno.readTextFile(`${probeDir}/${e.name}`)));
    }
    const jobs = await allJobs(store, "completed");
    const firstStart = Math.min(...jobs.map((j) => j.started_at!));
    const lastFinish = Math.max(...jobs.map((j) => j.finished_at!));
    const steadyMs = lastFinish - firstStart;
    const merged = new Map<string, { count: number; totalMs: number; samples: number[] }>();
    for (const d of dumps) {
      for (const [op, t] of Object.entries(d.tallies)) {
        const m = merged.get(op) ?? { count: 0, totalMs: 0, samples: [] };
        m.count += t.count;
        m.totalMs += t.totalMs;
        m.samples.push(...t.samples);
        merged.set(op, m);
      }
    }
    const r = (v: number, k = 1000) => Math.round(v * k) / k;
    const ops: Record<string, ProfileOp> = {};
    for (const [op, t] of [...merged].sort((a, b) => b[1].totalMs - a[1].totalMs)) {
      ops[op] = {
        per_job: r(t.count / n, 100),
        mean_ms: r(t.totalMs / t.count),
        p50_ms: r(quantile(t.samples, 0.5)),
        ms_per_job: r(t.totalMs / n),
      };
    }
    const trace = dumps[0]?.trace ?? [];
    const spawns = trace.flatMap((e, i) => (e.op === "spawn (sync part)" ? [i] : []));
    let cycle: Profile["one_cycle"] = [];
    if (spawns.length >= 3) {
      const a = spawns[spawns.length - 3]!;
      const b = spawns[spawns.length - 2]!;
      const base = trace[a]!.at;
      cycle = trace.slice(a, b + 1).sort((x, y) => x.at - y.at).map((e) => ({
        op: e.op,
        at_ms: r(e.at - base),
        ms: r(e.ms),
      }));
    }
    const tick = 1000 / ticksPerSecond();
    const cpuW = dumps.reduce((s, d) => s + (d.cpuTicks.user + d.cpuTicks.sys) * tick, 0);
    const cpuS = dumps.reduce(
      (s, d) => s + (d.cpuTicks.childrenUser + d.cpuTicks.childrenSys) * tick,
      0,
    );
    return {
      workers,
      jobs: n,
      steady_ms: steadyMs,
      steady_jobs_per_s: Math.round(n / (steadyMs / 1000)),
      cycle_ms: r(workers * steadyMs / n, 100),
      ops,
      one_cycle: cycle,
      cpu_ms_per_job: { worker: r(cpuW / n), shells: r(cpuS / n) },
      worker_memory_mib: dumps.map((d) => {
        const mib = (b = 0) => Math.round(b / 1024 / 1024 * 10) / 10;
        return {
          rss: mib(d.memory?.rss),
          heap_total: mib(d.memory?.heapTotal),
          heap_used: mib(d.memory?.heapUsed),
          external: mib(d.memory?.external),
        };
      }),
    };
  } finally {
    for (const c of children) {
      try {
        c.kill("SIGKILL");
      } catch {
        // Gone.
      }
    }
    await Promise.all(children.map((c) => c.status.catch(() => {})));
    store.close();
    await db.remove();
  }
}

/** A probed bulk enqueue: where `enqueue --file` spends its time. */
export interface EnqueueProfile {
  /** Jobs enqueued. */
  jobs: number;
  /** Wall time of the CLI process, ms. */
  wall_ms: number;
  /** Time from the process start until its exit, as the process saw it, ms. */
  process_ms: number;
  /** Atomic commits, and jobs per commit. */
  commits: number;
  /** Jobs per commit. */
  jobs_per_commit: number;
  /** Total ms inside commits, each counted in full (two may overlap). */
  commit_ms: number;
  /** Wall ms with at least one commit in flight. */
  commit_busy_ms: number;
  /** Mean ms per commit. */
  commit_mean_ms: number;
  /** Total ms in other KV calls (config read, id checks). */
  other_kv_ms: number;
  /**
   * The rest of the process time, with no commit in flight: start-up, reading and validating the
   * file, building the first batch, closing.
   */
  rest_ms: number;
  /** CPU ms of the process (user + sys). */
  cpu_ms: number;
}

/** Runs a bulk enqueue with the probe preloaded. */
export async function profileEnqueue(env: Env, n: number): Promise<EnqueueProfile> {
  const db = await TempDb.create(env.tmp, "profile-enqueue");
  const probeDir = `${db.dir}/probe`;
  await Deno.mkdir(probeDir);
  try {
    const { wallMs } = await bulkEnqueue(db, n, TRUE_SPEC, "profile", probeDir);
    const dumps: (ProbeDump & { uptimeMs: number; commitBusyMs: number })[] = [];
    for await (const e of Deno.readDir(probeDir)) {
      dumps.push(JSON.parse(await Deno.readTextFile(`${probeDir}/${e.name}`)));
    }
    const d = dumps[0];
    if (!d) throw new Error("profileEnqueue: the probe wrote nothing");
    let commits = 0;
    let commitMs = 0;
    let otherMs = 0;
    for (const [op, t] of Object.entries(d.tallies)) {
      if (op.startsWith("commit")) {
        commits += t.count;
        commitMs += t.totalMs;
      } else if (
        !op.startsWith("writeFile") && !op.startsWith("spawn") && !op.startsWith("child")
      ) {
        otherMs += t.totalMs;
      }
    }
    const r = (v: number) => Math.round(v * 10) / 10;
    const tick = 1000 / ticksPerSecond();
    return {
      jobs: n,
      wall_ms: r(wallMs),
      process_ms: r(d.uptimeMs),
      commits,
      jobs_per_commit: r(n / Math.max(1, commits)),
      commit_ms: r(commitMs),
      commit_busy_ms: r(d.commitBusyMs),
      commit_mean_ms: r(commitMs / Math.max(1, commits)),
      other_kv_ms: r(otherMs),
      rest_ms: r(d.uptimeMs - d.commitBusyMs - otherMs),
      cpu_ms: r((d.cpuTicks.user + d.cpuTicks.sys) * tick),
    };
  } finally {
    await db.remove();
  }
}
