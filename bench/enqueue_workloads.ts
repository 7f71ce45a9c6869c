/**
 * The enqueue workloads: B1 (one `enqueue` as a whole CLI process, with its baselines) and B2
 * (bulk enqueue from NDJSON), and the timed bulk enqueue that other workloads fill with.
 *
 * @module
 */
import { countJobs } from "../src/store/mod.ts";
import { CONFIG, DENO, ROOT, run, TempDb, writeNdjson } from "./lib.ts";
import { PeakSampler } from "./proc.ts";
import { type Summary, summary } from "./stats.ts";
import { type Env, TRUE_SPEC } from "./workload_env.ts";

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
