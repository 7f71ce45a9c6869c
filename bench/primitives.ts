/**
 * The primitive costs ("P"): KV calls, spawns and a doorbell write, each timed in this process on
 * the same disk, plus the commit ceiling.
 *
 * @module
 */
import { runCommand } from "../src/worker/run_command.ts";
import { type CommitCeiling, commitCeiling } from "./commit_ceiling.ts";
import { type Summary, summary } from "./stats.ts";
import type { Env } from "./workload_env.ts";

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
