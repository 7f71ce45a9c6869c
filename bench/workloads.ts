/**
 * The benchmark workloads B1–B7, the primitive costs and the worker profile. Each one runs end to
 * end through the real CLI (`deno run -A --config deno.json main.ts …`) and real worker
 * subprocesses (`worker start --count N --detach`) on a temp database; the bench process only
 * opens the same database to poll the counters and read the job records afterwards.
 *
 * @module
 */
import type { Job } from "../src/job.ts";
import { parseJobSpec } from "../src/spec.ts";
import { runCommand } from "../src/worker/run_command.ts";
import {
  countJobs,
  enqueueJobs,
  getJob,
  listAttempts,
  listJobs,
  listWorkers,
  readConfig,
  type Store,
} from "../src/store/mod.ts";
import {
  CONFIG,
  DENO,
  epochMs,
  machineCpu,
  MAIN,
  PeakSampler,
  procCpu,
  procMemory,
  quantile,
  ROOT,
  run,
  sleep,
  startWorkers,
  stopWorkers,
  type Summary,
  summary,
  TempDb,
  ticksPerSecond,
  waitFinished,
  waitIdle,
  waitUntil,
  type WorkerGroup,
  writeNdjson,
} from "./lib.ts";

/** Sizes of one bench run. */
export interface Sizes {
  /** Timed runs per B1 command (after warm-up). */
  b1Runs: number;
  /** Untimed warm-up runs per B1 command. */
  b1Warmup: number;
  /** Jobs in the B2 bulk enqueue. */
  b2Jobs: number;
  /** Jobs per B3 drain. */
  b3Jobs: number;
  /** Worker counts of B3. */
  b3Workers: number[];
  /** Jobs in B4, and the gap between enqueues. */
  b4Jobs: number;
  /** Milliseconds between B4 enqueues. */
  b4GapMs: number;
  /** Jobs in B5. */
  b5Jobs: number;
  /** Milliseconds between B5 enqueues (so that retries come due one at a time). */
  b5GapMs: number;
  /** Queue depths of B6. */
  b6Depths: number[];
  /** Runs per CLI figure at each B6 depth. */
  b6CliRuns: number;
  /** B4 jobs at each B6 depth. */
  b6LatencyJobs: number;
  /** Iterations per primitive. */
  primitiveRuns: number;
  /** Jobs of the profiled drain. */
  profileJobs: number;
}

/** Full sizes: the figures, under 10 minutes on 2 cores. */
export const FULL: Sizes = {
  b1Runs: 30,
  b1Warmup: 3,
  b2Jobs: 100_000,
  b3Jobs: 2000,
  b3Workers: [1, 2, 4],
  b4Jobs: 200,
  b4GapMs: 20,
  b5Jobs: 50,
  b5GapMs: 60,
  b6Depths: [0, 10_000, 100_000, 1_000_000],
  b6CliRuns: 10,
  b6LatencyJobs: 50,
  primitiveRuns: 300,
  profileJobs: 1000,
};

/** Smoke sizes for CI: every workload runs, tiny, in well under a minute. */
export const SMOKE: Sizes = {
  b1Runs: 3,
  b1Warmup: 1,
  b2Jobs: 2000,
  b3Jobs: 100,
  b3Workers: [1, 2, 4],
  b4Jobs: 10,
  b4GapMs: 20,
  b5Jobs: 4,
  b5GapMs: 60,
  b6Depths: [0, 1000],
  b6CliRuns: 2,
  b6LatencyJobs: 5,
  primitiveRuns: 30,
  profileJobs: 100,
};

/** What every workload gets: its sizes, a parent temp folder, a logger and a cleanup registry. */
export interface Env {
  /** Sizes of this run. */
  sizes: Sizes;
  /** Parent folder for temp databases. */
  tmp: string;
  /** Progress lines (stderr). */
  log: (line: string) => void;
  /** Worker groups started and not yet stopped, so an interrupted bench can stop them. */
  running: Set<Promise<WorkerGroup>>;
}

const TRUE_SPEC = '{"command":"true"}';
const FAR_FUTURE_SPEC = '{"command":"true","run_at":"2100-01-01T00:00:00Z"}';

async function withWorkers<T>(
  env: Env,
  db: TempDb,
  count: number,
  fn: (group: WorkerGroup, store: Store) => Promise<T>,
  store: Store,
): Promise<T> {
  const starting = startWorkers(db, count);
  env.running.add(starting);
  const group = await starting;
  let pids: number[] = [];
  try {
    pids = (await listWorkers(store)).map((w) => w.pid);
    return await fn(group, store);
  } finally {
    pids = [...new Set([...pids, ...(await listWorkers(store)).map((w) => w.pid)])];
    await stopWorkers(db, group, pids);
    env.running.delete(starting);
  }
}

async function allJobs(store: Store, state: Job["state"]): Promise<Job[]> {
  const out: Job[] = [];
  let after: string | undefined;
  for (;;) {
    // 500, not 1000: listJobs never returns a `next` cursor at limit 1000 (it asks Db.list for
    // limit + 1, which the remote list limit clamps to 1000).
    const page = await listJobs(store, { state, limit: 500, after });
    out.push(...page.jobs);
    if (!page.next) return out;
    after = page.next;
  }
}

// ---------------------------------------------------------------------------------------------
// Primitives

/** Costs of the building blocks, measured in this process on the same disk. */
export interface Primitives {
  /** One atomic commit of one small `set`. */
  commit_set1: Summary;
  /** One atomic commit shaped like a claim: 2 checks, 7 mutations, a ~450-byte record. */
  commit_claim_like: Summary;
  /** One `kv.set` (a heartbeat). */
  kv_set: Summary;
  /** One `kv.get`. */
  get1: Summary;
  /** One `getMany` of 8 keys. */
  get_many8: Summary;
  /** One `list` of 8 entries (limit 8). */
  list8: Summary;
  /** One `Deno.Command` spawn of `true` (no shell), stdio null, until exit. */
  spawn_true: Summary;
  /** One `Deno.Command` spawn of `sh -c true`, stdio null, until exit. */
  spawn_sh_true: Summary;
  /** `sh -c true` with `detached: true` only (its own session). */
  spawn_sh_true_detached: Summary;
  /** `sh -c true` with `env` only (3 variables added). */
  spawn_sh_true_env: Summary;
  /** `sh -c true` the way a worker runs a job: own session, stdout/stderr piped and read, env. */
  spawn_sh_true_worker_style: Summary;
  /** `setsid sh -c true`, piped and read, no `detached`/`env`: a cheaper way to a new session. */
  spawn_setsid_sh_true_piped: Summary | null;
  /** `runCommand("true")` with a job's env: the worker's own spawn, output read, to exit. */
  spawn_run_command: Summary;
  /** One `Deno.writeFile` of one byte (a doorbell ring). */
  write_file: Summary;
  /** Job-sized commits in a row from one process, and from two at once on one file. */
  commit_ceiling: CommitCeiling[];
}

/** How many commits per second one KV file takes from `processes` writers at once. */
export interface CommitCeiling {
  /** Writers. */
  processes: number;
  /** Commits in all. */
  commits: number;
  /** Commits per second, all writers together. */
  per_s: number;
  /** "database is locked" errors per commit (each costs a retry pause). */
  locked_per_commit: number;
}

/**
 * Runs bench/commit_storm.ts in `processes` processes at once on one fresh file; with `spawn`,
 * each commit is followed by a `sh -c true`.
 */
async function commitCeiling(
  dir: string,
  n: number,
  processes: number,
  spawn = false,
): Promise<CommitCeiling> {
  const path = `${dir}/storm-${processes}${spawn ? "-spawn" : ""}.kv`;
  const per = Math.ceil(n / processes);
  // Create the file first so that no writer times its creation.
  (await Deno.openKv(path)).close();
  const outs = await Promise.all(
    Array.from(
      { length: processes },
      () =>
        run(DENO, [
          "run",
          "-A",
          "--unstable-kv",
          `${ROOT}/bench/commit_storm.ts`,
          path,
          String(per),
          ...(spawn ? ["spawn"] : []),
        ]),
    ),
  );
  const marks = outs.map((o) => {
    if (o.code !== 0) throw new Error(`commit_storm.ts exited ${o.code}: ${o.stderr.trim()}`);
    return JSON.parse(o.stdout) as { n: number; start: number; end: number; locked: number };
  });
  const start = Math.min(...marks.map((m) => m.start));
  const end = Math.max(...marks.map((m) => m.end));
  const commits = marks.reduce((a, m) => a + m.n, 0);
  const locked = marks.reduce((a, m) => a + m.locked, 0);
  return {
    processes,
    commits,
    per_s: Math.round(commits / ((end - start) / 1000)),
    locked_per_commit: Math.round(locked / commits * 100) / 100,
  };
}

async function timeMany(n: number, fn: (i: number) => Promise<unknown>): Promise<Summary> {
  const xs: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    await fn(i);
    xs.push(performance.now() - t0);
  }
  return summary(xs);
}

/** Measures the primitive costs. */
export async function primitives(env: Env): Promise<Primitives> {
  const n = env.sizes.primitiveRuns;
  const dir = await Deno.makeTempDir({ dir: env.tmp, prefix: "prim-" });
  const kv = await Deno.openKv(`${dir}/prim.kv`);
  try {
    const record = (i: number) => ({
      id: `01M8PRIMITIVE${String(i).padStart(13, "0")}`,
      command: "true",
      state: "pending",
      attempts: 0,
      runs: 0,
      max_retries: 3,
      priority: 0,
      run_at: Date.now(),
      timeout: null,
      seq: `01M8SEQ${String(i).padStart(19, "0")}`,
      created_at: Date.now(),
      updated_at: Date.now(),
      started_at: null,
      finished_at: null,
      exit_code: null,
      last_error: null,
      worker: "host:12345:abcd",
      cancel_requested: false,
    });
    for (let b = 0; b < 1000; b += 100) {
      const op = kv.atomic();
      for (let i = b; i < b + 100; i++) {
        op.set(["p", i], record(i)).set(["r", 0, `s${i}`, i], i);
      }
      await op.commit();
    }
    const warm = Math.min(20, n);
    for (let i = 0; i < warm; i++) await kv.atomic().set(["w", i], i).commit();
    const commit_set1 = await timeMany(n, (i) => kv.atomic().set(["c", i], i).commit());
    // A claim-shaped commit: its reads happen first and are not timed.
    const claimOnly: number[] = [];
    for (let i = 0; i < n; i++) {
      const k = i % 1000;
      const [job, ready] = await kv.getMany([["p", k], ["r", 0, `s${k}`, k]]);
      const op = kv.atomic()
        .check({ key: job!.key, versionstamp: job!.versionstamp })
        .check({ key: ready!.key, versionstamp: ready!.versionstamp })
        .set(["p", k], { ...record(k), state: "processing" })
        .delete(["r", 0, `s${k}`, k])
        .set(["r", 0, `s${k}`, k], k)
        .set(["s", "processing", `s${k}`], k)
        .delete(["s", "pending", `s${k}`])
        .sum(["n", "pending"], 1n)
        .sum(["n", "processing"], 1n);
      const t0 = performance.now();
      await op.commit();
      claimOnly.push(performance.now() - t0);
    }
    const kv_set = await timeMany(n, (i) => kv.set(["hb", i % 4], record(i)));
    const get1 = await timeMany(n, (i) => kv.get(["p", i % 1000]));
    const get_many8 = await timeMany(
      n,
      (i) => kv.getMany(Array.from({ length: 8 }, (_, j) => ["p", (i * 8 + j) % 1000])),
    );
    const list8 = await timeMany(n, async () => {
      const out = [];
      for await (const e of kv.list({ prefix: ["r"] }, { limit: 8, batchSize: 8 })) out.push(e);
      return out;
    });
    const spawnN = Math.min(n, 200);
    const trueCmd = new Deno.Command("true", { stdin: "null", stdout: "null", stderr: "null" });
    const shCmd = new Deno.Command("sh", {
      args: ["-c", "true"],
      stdin: "null",
      stdout: "null",
      stderr: "null",
    });
    const workerStyle = new Deno.Command("sh", {
      args: ["-c", "true"],
      detached: true,
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
      env: { QUEUECTL_JOB_ID: "01M8X", QUEUECTL_ATTEMPT: "1", QUEUECTL_RUN: "1" },
    });
    const setsidPiped = new Deno.Command("setsid", {
      args: ["sh", "-c", "true"],
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    });
    const quiet = { stdin: "null", stdout: "null", stderr: "null" } as const;
    const detachedCmd = new Deno.Command("sh", { args: ["-c", "true"], detached: true, ...quiet });
    const envCmd = new Deno.Command("sh", { args: ["-c", "true"], env: { A: "1" }, ...quiet });
    const drain = async (s: ReadableStream<Uint8Array>) => {
      for await (const _ of s) { /* discard */ }
    };
    const piped = async (c: Deno.Command) => {
      const child = c.spawn();
      await Promise.all([drain(child.stdout), drain(child.stderr), child.status]);
    };
    for (let i = 0; i < 10; i++) await shCmd.spawn().status;
    const spawn_true = await timeMany(spawnN, () => trueCmd.spawn().status);
    const spawn_sh_true = await timeMany(spawnN, () => shCmd.spawn().status);
    const spawn_sh_true_detached = await timeMany(spawnN, () => detachedCmd.spawn().status);
    const spawn_sh_true_env = await timeMany(spawnN, () => envCmd.spawn().status);
    const spawn_sh_true_worker_style = await timeMany(spawnN, () => piped(workerStyle));
    let spawn_setsid_sh_true_piped: Summary | null = null;
    try {
      spawn_setsid_sh_true_piped = await timeMany(spawnN, () => piped(setsidPiped));
    } catch {
      // No setsid(1) on this machine.
    }
    const jobEnv = { QUEUECTL_JOB_ID: "bench", QUEUECTL_ATTEMPT: "1", QUEUECTL_RUN: "1" };
    const spawn_run_command = await timeMany(spawnN, () => runCommand("true", { env: jobEnv }));
    const bell = `${dir}/bell`;
    const one = new Uint8Array([1]);
    const write_file = await timeMany(n, () => Deno.writeFile(bell, one, { mode: 0o600 }));
    const stormN = Math.max(200, n * 7);
    const commit_ceiling = [
      await commitCeiling(dir, stormN, 1),
      await commitCeiling(dir, stormN, 2),
    ];
    return {
      commit_set1,
      commit_claim_like: summary(claimOnly),
      kv_set,
      get1,
      get_many8,
      list8,
      spawn_true,
      spawn_sh_true,
      spawn_sh_true_detached,
      spawn_sh_true_env,
      spawn_sh_true_worker_style,
      spawn_setsid_sh_true_piped,
      spawn_run_command,
      write_file,
      commit_ceiling,
    };
  } finally {
    kv.close();
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
}

// ---------------------------------------------------------------------------------------------
// B1

/** B1: one `enqueue` as a whole CLI process, with its baselines. */
export interface B1 {
  /** `queuectl enqueue --command true`, wall ms. */
  enqueue: Summary;
  /** `queuectl --version`: the CLI's start-up (module graph) without opening the database. */
  cli_version: Summary;
  /** `deno run` of a script that only imports the parser `@stricli/core` (npm). */
  deno_parser: Summary;
  /** `deno run` of an empty script: the runtime's own start-up. */
  deno_empty: Summary;
  /** `deno run` of `bench/kv_enqueue.ts`: one enqueue's KV work with no queuectl code. */
  deno_kv_work: Summary;
  /** `sh -c true`. */
  sh_true: Summary;
}

/** Times `enqueue`, interleaved with its baselines so that drift hits all of them alike. */
export async function b1(env: Env, db: TempDb, runs = env.sizes.b1Runs): Promise<B1> {
  const cmds: Record<keyof B1, () => Promise<{ code: number; ms: number; stderr: string }>> = {
    enqueue: () => db.cli(["enqueue", "--command", "true"]),
    cli_version: () => db.cli(["--version"]),
    deno_parser: () =>
      run(DENO, ["run", "-A", "--config", CONFIG, `${ROOT}/bench/parser_only.ts`], {
        env: db.env,
      }),
    deno_empty: () =>
      run(DENO, ["run", "-A", "--config", CONFIG, `${ROOT}/bench/empty.ts`], { env: db.env }),
    deno_kv_work: () =>
      run(DENO, ["run", "-A", "--config", CONFIG, `${ROOT}/bench/kv_enqueue.ts`], {
        env: db.env,
      }),
    sh_true: () => run("sh", ["-c", "true"]),
  };
  const names = Object.keys(cmds) as (keyof B1)[];
  for (let i = 0; i < env.sizes.b1Warmup; i++) for (const k of names) await cmds[k]();
  const xs: Record<keyof B1, number[]> = {
    enqueue: [],
    cli_version: [],
    deno_parser: [],
    deno_empty: [],
    deno_kv_work: [],
    sh_true: [],
  };
  for (let i = 0; i < runs; i++) {
    for (const k of names) {
      const out = await cmds[k]();
      if (out.code !== 0) throw new Error(`B1 ${k} exited ${out.code}: ${out.stderr.trim()}`);
      xs[k].push(out.ms);
    }
  }
  return {
    enqueue: summary(xs.enqueue),
    cli_version: summary(xs.cli_version),
    deno_parser: summary(xs.deno_parser),
    deno_empty: summary(xs.deno_empty),
    deno_kv_work: summary(xs.deno_kv_work),
    sh_true: summary(xs.sh_true),
  };
}

// ---------------------------------------------------------------------------------------------
// B2

/** B2: bulk enqueue from NDJSON. */
export interface B2 {
  /** Jobs in the file. */
  jobs: number;
  /** Wall time of the whole `enqueue --file` CLI process, ms. */
  wall_ms: number;
  /** Jobs per second (whole process). */
  jobs_per_s: number;
  /** Peak RSS of the enqueue process, MiB (sampled every 100 ms). */
  peak_rss_mib: number;
  /** Database bytes per stored (pending) job: file + WAL over jobs. */
  db_bytes_per_pending_job: number;
}

/** Bulk-enqueues `n` jobs with `enqueue --file` and times the whole CLI process. */
export async function bulkEnqueue(
  db: TempDb,
  n: number,
  line: string,
  tag: string,
  probeDir?: string,
): Promise<{ wallMs: number; peakKiB: number }> {
  const file = `${db.dir}/${tag}.ndjson`;
  await writeNdjson(file, line, n);
  const sampler = new PeakSampler();
  try {
    const out = await db.cliOk(["enqueue", "--file", file], {
      onSpawn: (p) => sampler.start(p),
      probeDir,
    });
    if (!out.stdout.includes(`enqueued ${n} jobs`)) {
      throw new Error(`enqueue --file: unexpected output ${JSON.stringify(out.stdout.trim())}`);
    }
    return { wallMs: out.ms, peakKiB: sampler.stop() };
  } finally {
    sampler.stop();
    await Deno.remove(file).catch(() => {});
  }
}

/** Runs B2. */
export async function b2(env: Env): Promise<B2> {
  const db = await TempDb.create(env.tmp, "b2");
  try {
    const n = env.sizes.b2Jobs;
    const { wallMs, peakKiB } = await bulkEnqueue(db, n, TRUE_SPEC, "b2");
    const store = await db.open();
    try {
      const counts = await countJobs(store);
      if (counts.pending !== n) {
        throw new Error(`B2: expected ${n} pending, found ${counts.pending}`);
      }
    } finally {
      store.close();
    }
    return {
      jobs: n,
      wall_ms: Math.round(wallMs),
      jobs_per_s: Math.round(n / (wallMs / 1000)),
      peak_rss_mib: Math.round(peakKiB / 1024),
      db_bytes_per_pending_job: Math.round(db.bytes().total / n),
    };
  } finally {
    await db.remove();
  }
}

// ---------------------------------------------------------------------------------------------
// B3 (and B7)

/** The floor: `sh -c true` spawned from plain Deno processes. */
export interface Floor {
  /** Spawns in all. */
  spawns: number;
  /** Processes spawning in parallel. */
  processes: number;
  /** Spawns per second, from the first child's first spawn to the last child's last exit. */
  per_s: number;
  /** CPU ms per spawn in the spawning Deno processes (user + sys, start-up included). */
  parent_cpu_ms_per_spawn: number;
  /** CPU ms per spawn in the shells themselves. */
  shell_cpu_ms_per_spawn: number;
}

/** Runs the floor with `processes` Deno processes sharing `n` spawns. */
export async function floor(n: number, processes: number): Promise<Floor> {
  const per = Math.ceil(n / processes);
  const outs = await Promise.all(
    Array.from(
      { length: processes },
      () => run(DENO, ["run", "-A", `${ROOT}/bench/floor.ts`, String(per)]),
    ),
  );
  const marks = outs.map((o) => {
    if (o.code !== 0) throw new Error(`floor.ts exited ${o.code}: ${o.stderr.trim()}`);
    return JSON.parse(o.stdout) as {
      n: number;
      start: number;
      end: number;
      ticks: { self: number; children: number };
    };
  });
  const start = Math.min(...marks.map((m) => m.start));
  const end = Math.max(...marks.map((m) => m.end));
  const spawns = marks.reduce((a, m) => a + m.n, 0);
  const tick = 1000 / ticksPerSecond();
  const perSpawn = (ticks: number) => Math.round(ticks * tick / spawns * 1000) / 1000;
  return {
    spawns,
    processes,
    per_s: Math.round(spawns / ((end - start) / 1000)),
    parent_cpu_ms_per_spawn: perSpawn(marks.reduce((a, m) => a + m.ticks.self, 0)),
    shell_cpu_ms_per_spawn: perSpawn(marks.reduce((a, m) => a + m.ticks.children, 0)),
  };
}

/** Memory and CPU of one worker group, read right after a drain. */
export interface GroupUsage {
  /** Peak RSS of the supervisor, MiB. */
  supervisor_peak_rss_mib: number;
  /** Peak RSS of each worker, MiB. */
  worker_peak_rss_mib: number[];
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
  /** Workers. */
  workers: number;
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

/** B3: drains with 1, 2, 4 workers, and the floors. */
export interface B3 {
  /** One process spawning all. */
  floor1: Floor;
  /** Two processes in parallel. */
  floor2: Floor;
  /**
   * The floor of a durable queue: two processes, each job one job-sized commit (1 check, 4
   * mutations) and one `sh -c true`, no reads.
   */
  durable2: CommitCeiling;
  /** One drain per worker count. */
  drains: Drain[];
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

/** One drain: enqueue `n` `true` jobs (untimed), then time `worker start` until all complete. */
export async function drain(env: Env, workers: number, n: number): Promise<Drain> {
  const db = await TempDb.create(env.tmp, `b3-w${workers}`);
  const store = await db.open();
  let closed = false;
  try {
    await bulkEnqueue(db, n, TRUE_SPEC, "b3");
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
      usage = {
        supervisor_peak_rss_mib: mib(sup?.hwmKiB),
        worker_peak_rss_mib: ws.map((w) => mib(procMemory(w.pid)?.hwmKiB)),
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

/** Runs B3: the floors, then one drain per worker count. */
export async function b3(env: Env): Promise<B3> {
  const n = env.sizes.b3Jobs;
  env.log(`  floor: ${n} x sh -c true from 1 process, then from 2`);
  const floor1 = await floor(n, 1);
  const floor2 = await floor(n, 2);
  env.log(`  durable floor: ${n} x (one commit + sh -c true) from 2 processes on one file`);
  const dir = await Deno.makeTempDir({ dir: env.tmp, prefix: "durable-" });
  const durable2 = await commitCeiling(dir, n, 2, true);
  await Deno.remove(dir, { recursive: true });
  const drains: Drain[] = [];
  for (const w of env.sizes.b3Workers) {
    env.log(`  drain ${n} jobs with ${w} worker(s)`);
    drains.push(await drain(env, w, n));
  }
  return { floor1, floor2, durable2, drains };
}

// ---------------------------------------------------------------------------------------------
// B4

/** B4: enqueue-to-start latency with idle workers. */
export interface Latency {
  /** `started_at - created_at` (the claim's clock reading), ms. */
  to_claim: Summary;
  /** Enqueue to just before the spawn: `finished_at - duration_ms - created_at`, ms (±1). */
  to_spawn: Summary;
}

/** Enqueues `n` jobs one at a time, `gapMs` apart, in this process, and reads their latency. */
async function latencyRun(store: Store, n: number, gapMs: number): Promise<Latency> {
  const { max_retries } = await readConfig(store);
  const done0 = (await countJobs(store)).completed;
  const ids: string[] = [];
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    await sleep(t0 + i * gapMs - performance.now());
    const now = Date.now();
    const spec = parseJobSpec({ command: "true" }, { now });
    const [job] = await enqueueJobs(store, [spec], { now, maxRetries: max_retries });
    ids.push(job!.id);
  }
  await waitUntil(
    `${n} latency jobs to complete`,
    async () => (await countJobs(store)).completed >= done0 + n,
    30_000,
    20,
  );
  const toClaim: number[] = [];
  const toSpawn: number[] = [];
  for (const id of ids) {
    const attempts = await listAttempts(store, id);
    const a = attempts[0];
    const job = (await getJob(store, id))!;
    if (!a || job.started_at === null) throw new Error(`B4: job ${id} never started`);
    toClaim.push(job.started_at - job.created_at);
    toSpawn.push(a.finished_at! - (a.duration_ms ?? 0) - job.created_at);
  }
  return { to_claim: summary(toClaim), to_spawn: summary(toSpawn) };
}

/** Starts 2 workers, waits until they idle, and runs {@linkcode latencyRun}. */
export async function latencyWithWorkers(
  env: Env,
  db: TempDb,
  store: Store,
  n: number,
  gapMs: number,
): Promise<Latency> {
  return await withWorkers(env, db, 2, async () => {
    // Earlier jobs (B1 runs at this depth) are drained first; then the workers go idle.
    await waitUntil(
      "the queue to empty",
      async () => {
        const c = await countJobs(store);
        return c.pending === 0 && c.processing === 0;
      },
      60_000,
      20,
    );
    await waitIdle(store, 2);
    await sleep(300);
    return await latencyRun(store, n, gapMs);
  }, store);
}

/** Runs B4 on a fresh database. */
export async function b4(env: Env): Promise<Latency> {
  const db = await TempDb.create(env.tmp, "b4");
  const store = await db.open();
  try {
    return await latencyWithWorkers(env, db, store, env.sizes.b4Jobs, env.sizes.b4GapMs);
  } finally {
    store.close();
    await db.remove();
  }
}

// ---------------------------------------------------------------------------------------------
// B5

/** B5: how late a backoff retry starts after it is due. */
export interface B5 {
  /** Jobs (each fails once, then succeeds). */
  jobs: number;
  /** `attempt 2 started_at - (attempt 1 finished_at + 1000)`, ms. */
  lateness: Summary;
}

/** Runs B5: backoff_base 1, so every first retry is due 1 s after the failure. */
export async function b5(env: Env): Promise<B5> {
  const db = await TempDb.create(env.tmp, "b5");
  const store = await db.open();
  const marks = `${db.dir}/marks`;
  await Deno.mkdir(marks);
  try {
    await db.cliOk(["config", "set", "backoff_base", "1"]);
    const n = env.sizes.b5Jobs;
    return await withWorkers(env, db, 2, async () => {
      await waitIdle(store, 2);
      await sleep(300);
      const t0 = performance.now();
      for (let i = 0; i < n; i++) {
        await sleep(t0 + i * env.sizes.b5GapMs - performance.now());
        const now = Date.now();
        const mark = `'${marks}/r${i}'`;
        const spec = parseJobSpec({
          id: `retry-${i}`,
          command: `[ -e ${mark} ] || { : > ${mark}; exit 1; }`,
          max_retries: 3,
        }, { now });
        await enqueueJobs(store, [spec], { now, maxRetries: 3 });
      }
      await waitFinished(store, n, 30_000, 20);
      const late: number[] = [];
      for (let i = 0; i < n; i++) {
        const [a1, a2] = await listAttempts(store, `retry-${i}`);
        if (!a1 || !a2 || a1.outcome !== "failed" || a2.outcome !== "succeeded") {
          throw new Error(`B5: job retry-${i} did not fail once then succeed`);
        }
        late.push(a2.started_at - (a1.finished_at! + 1000));
      }
      return { jobs: n, lateness: summary(late) };
    }, store);
  } finally {
    store.close();
    await db.remove();
  }
}

// ---------------------------------------------------------------------------------------------
// B6

/** B6 figures at one queue depth. */
export interface DepthPoint {
  /** Jobs stored before the measurements (scheduled far in the future). */
  depth: number;
  /** Time to bulk-enqueue the jobs added to reach this depth, ms (0 for the first). */
  fill_ms: number;
  /** Rate of that fill, jobs/s. */
  fill_jobs_per_s: number;
  /** Database file + WAL, MiB. */
  db_mib: number;
  /** B1 at this depth: `enqueue` wall ms. */
  enqueue: Summary;
  /** `status` wall ms. */
  status: Summary;
  /** `list --limit 50` wall ms (all states, by id). */
  list50: Summary;
  /** `list --state scheduled --limit 50` wall ms (state index + records). */
  list50_state: Summary;
  /** B4 at this depth. */
  latency: Latency;
}

async function cliTimes(db: TempDb, args: string[], runs: number): Promise<Summary> {
  await db.cliOk(args);
  const xs: number[] = [];
  for (let i = 0; i < runs; i++) xs.push((await db.cliOk(args)).ms);
  return summary(xs);
}

/** Measures everything B6 wants at the current depth. */
export async function depthPoint(
  env: Env,
  db: TempDb,
  store: Store,
  depth: number,
  fillMs: number,
  added: number,
): Promise<DepthPoint> {
  const runs = env.sizes.b6CliRuns;
  const enqueue = await cliTimes(db, ["enqueue", "--command", "true"], runs);
  const status = await cliTimes(db, ["status"], runs);
  const list50 = await cliTimes(db, ["list", "--limit", "50"], runs);
  const list50State = await cliTimes(db, ["list", "--state", "scheduled", "--limit", "50"], runs);
  const latency = await latencyWithWorkers(env, db, store, env.sizes.b6LatencyJobs, 20);
  return {
    depth,
    fill_ms: Math.round(fillMs),
    fill_jobs_per_s: added > 0 ? Math.round(added / (fillMs / 1000)) : 0,
    db_mib: Math.round(db.bytes().total / 1024 / 1024 * 10) / 10,
    enqueue,
    status,
    list50,
    list50_state: list50State,
    latency,
  };
}

/** Bulk-fills the B6 database with far-future scheduled jobs. */
export async function fill(db: TempDb, n: number): Promise<{ ms: number }> {
  const { wallMs } = await bulkEnqueue(db, n, FAR_FUTURE_SPEC, "fill");
  return { ms: wallMs };
}

// ---------------------------------------------------------------------------------------------
// Profile

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
