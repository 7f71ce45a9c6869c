/**
 * One drain of B3: jobs enqueued untimed, then `worker start --count N` timed until every job is
 * complete, with the workers' memory and CPU read before they stop, and where each job's time
 * went from the job and attempt records.
 *
 * @module
 */
import type { Job } from "../src/job.ts";
import { countJobs, listAttempts, listWorkers, type Store } from "../src/store/mod.ts";
import { bulkEnqueue } from "./enqueue_workloads.ts";
import {
  epochMs,
  startWorkers,
  stopWorkers,
  TempDb,
  waitFinished,
  type WorkerGroup,
} from "./lib.ts";
import { machineCpu, procCpu, procMemory } from "./proc.ts";
import { allJobs, type Env, TRUE_SPEC } from "./workload_env.ts";

/** Memory and CPU of one worker group, read right after a drain. */
export interface GroupUsage {
  /** Peak RSS of the supervisor, MiB. */
  supervisor_peak_rss_mib: number;
  /** Peak RSS of each worker, MiB. */
  worker_peak_rss_mib: number[];
  /** The worker tree: the supervisor's and every worker process's peak RSS summed, MiB. */
  tree_peak_rss_mib: number;
  /** Each worker's RSS after the drain split into anonymous and file-backed (shared code), MiB. */
  worker_rss_split_mib: { anon: number; file: number }[];
  /** CPU ms per job spent in the worker processes themselves (user + sys). */
  worker_cpu_ms_per_job: number;
  /** CPU ms per job spent in the job shells (`sh -c true`, children of the workers). */
  shell_cpu_ms_per_job: number;
  /** CPU ms per job of the supervisor. */
  supervisor_cpu_ms_per_job: number;
}

/** Where a job's time goes, from the job and attempt records (ms, means per job). */
export interface JobTimeline {
  /** Claim `now` → finish `now`, minus the command's own run time: claim round trips, set-up. */
  claim_and_setup_ms: number;
  /** The command, spawn to exit, as the worker measured it (`duration_ms`). */
  command_ms: number;
  /** Finish `now` → the same worker's next claim `now`: the finish commit and the loop's top. */
  finish_and_loop_ms: number;
  /** Sum of the three: wall ms per job per worker. */
  cycle_ms: number;
}

/** One B3 drain. */
export interface Drain {
  /** Slots: `worker start --count` (the processes are the default ⌈count/16⌉). */
  workers: number;
  /** Worker processes that ran them. */
  processes: number;
  /** The jobs' command. */
  command: string;
  /** The `default` queue's concurrency limit during the drain, or null for none. */
  limit: number | null;
  /** Jobs drained. */
  jobs: number;
  /** From `worker start` until the counters show every job completed, ms. */
  wall_ms: number;
  /** Jobs per second over `wall_ms` (the headline). */
  jobs_per_s: number;
  /** From `worker start` to the first claim, ms (process start-ups). */
  startup_ms: number;
  /** Jobs per second from the first claim to the last finish (start-up excluded). */
  steady_jobs_per_s: number;
  /** Machine-wide CPU busy ms per job during the drain (all processes, both cores). */
  machine_cpu_ms_per_job: number;
  /** Machine CPU use during the drain, as a fraction of all cores. */
  machine_cpu_busy: number;
  /** Jobs that took more than one attempt (should be 0). */
  retried_jobs: number;
  /** Per-job breakdown. */
  timeline: JobTimeline;
  /** Memory and CPU of the processes. */
  usage: GroupUsage;
  /** Database bytes per completed job (file + WAL over jobs), right after the drain. */
  db_bytes_per_completed_job: number;
  /** The same once every connection has closed (SQLite then checkpoints and drops the WAL). */
  db_bytes_per_completed_job_at_rest: number;
}

async function timeline(store: Store, jobs: Job[]): Promise<JobTimeline> {
  const durations = new Map<string, number>();
  for (const job of jobs) {
    const attempts = await listAttempts(store, job.id);
    const last = attempts[attempts.length - 1];
    durations.set(job.id, last?.duration_ms ?? 0);
  }
  const byWorker = new Map<string, Job[]>();
  for (const j of jobs) {
    const list = byWorker.get(j.worker ?? "") ?? [];
    list.push(j);
    byWorker.set(j.worker ?? "", list);
  }
  let inJob = 0;
  let cmd = 0;
  let gaps = 0;
  let gapN = 0;
  for (const list of byWorker.values()) {
    list.sort((a, b) => a.started_at! - b.started_at!);
    for (const [i, j] of list.entries()) {
      const d = durations.get(j.id) ?? 0;
      cmd += d;
      inJob += j.finished_at! - j.started_at! - d;
      const next = list[i + 1];
      if (next) {
        gaps += next.started_at! - j.finished_at!;
        gapN++;
      }
    }
  }
  const n = jobs.length;
  const r = (v: number) => Math.round(v * 100) / 100;
  const t = {
    claim_and_setup_ms: r(inJob / n),
    command_ms: r(cmd / n),
    finish_and_loop_ms: r(gapN ? gaps / gapN : 0),
  };
  return { ...t, cycle_ms: r(t.claim_and_setup_ms + t.command_ms + t.finish_and_loop_ms) };
}

/**
 * One drain: enqueue `n` jobs (`true` unless `spec` says otherwise; untimed), then time
 * `worker start` until all complete; with `limit`, the `default` queue's concurrency limit is set
 * first.
 */
export async function drain(
  env: Env,
  workers: number,
  options: { jobs: number; limit?: number; spec?: string },
): Promise<Drain> {
  const n = options.jobs;
  const limit = options.limit ?? null;
  const spec = options.spec ?? TRUE_SPEC;
  const db = await TempDb.create(env.tmp, `b3-w${workers}${limit === null ? "" : `-l${limit}`}`);
  const store = await db.open();
  let closed = false;
  try {
    await bulkEnqueue(db, n, spec, "b3");
    if (limit !== null) {
      await db.cliOk(["queue", "set", "default", "--concurrency", String(limit)]);
    }
    const cpu0 = machineCpu();
    const t0Epoch = epochMs();
    const t0 = performance.now();
    const started = startWorkers(db, workers);
    env.running.add(started);
    let group: WorkerGroup;
    let wallMs = 0;
    let cpu1 = cpu0;
    let usage: GroupUsage;
    let bytes = 0;
    try {
      await waitFinished(store, n, Math.max(60_000, n * 50), 20);
      wallMs = performance.now() - t0;
      cpu1 = machineCpu();
    } finally {
      group = await started;
    }
    const ws = await listWorkers(store);
    try {
      bytes = db.bytes().total;
      const mib = (kib: number | undefined) => Math.round((kib ?? 0) / 1024 * 10) / 10;
      const sup = procMemory(group.supervisorPid);
      const cpus = ws.map((w) => procCpu(w.pid));
      const supCpu = procCpu(group.supervisorPid);
      const per = (v: number) => Math.round(v / n * 1000) / 1000;
      const workerHwm = ws.map((w) => procMemory(w.pid)?.hwmKiB ?? 0);
      usage = {
        supervisor_peak_rss_mib: mib(sup?.hwmKiB),
        worker_peak_rss_mib: workerHwm.map(mib),
        tree_peak_rss_mib: mib(workerHwm.reduce((a, k) => a + k, sup?.hwmKiB ?? 0)),
        worker_rss_split_mib: ws.map((w) => {
          const m = procMemory(w.pid);
          return { anon: mib(m?.anonKiB), file: mib(m?.fileKiB) };
        }),
        worker_cpu_ms_per_job: per(cpus.reduce((a, c) => a + (c ? c.userMs + c.sysMs : 0), 0)),
        shell_cpu_ms_per_job: per(cpus.reduce((a, c) => a + (c?.childrenMs ?? 0), 0)),
        supervisor_cpu_ms_per_job: per(supCpu ? supCpu.userMs + supCpu.sysMs : 0),
      };
    } finally {
      await stopWorkers(db, group, ws.map((w) => w.pid));
      env.running.delete(started);
    }
    const counts = await countJobs(store);
    if (counts.completed !== n) {
      throw new Error(`B3: ${counts.completed} of ${n} completed (${JSON.stringify(counts)})`);
    }
    const jobs = await allJobs(store, "completed");
    const firstStart = Math.min(...jobs.map((j) => j.started_at!));
    const lastFinish = Math.max(...jobs.map((j) => j.finished_at!));
    const busy = cpu1.busyMs - cpu0.busyMs;
    const line = await timeline(store, jobs);
    store.close();
    closed = true;
    const atRest = db.bytes().total;
    return {
      workers,
      processes: ws.length,
      command: (JSON.parse(spec) as { command: string }).command,
      limit,
      jobs: n,
      wall_ms: Math.round(wallMs),
      jobs_per_s: Math.round(n / (wallMs / 1000)),
      startup_ms: Math.round(firstStart - t0Epoch),
      steady_jobs_per_s: Math.round(n / ((lastFinish - firstStart) / 1000)),
      machine_cpu_ms_per_job: Math.round(busy / n * 100) / 100,
      machine_cpu_busy: Math.round(busy / (cpu1.totalMs - cpu0.totalMs) * 100) / 100,
      retried_jobs: jobs.filter((j) => j.runs > 1).length,
      timeline: line,
      usage,
      db_bytes_per_completed_job: Math.round(bytes / n),
      db_bytes_per_completed_job_at_rest: Math.round(atRest / n),
    };
  } finally {
    if (!closed) store.close();
    await db.remove();
  }
}
