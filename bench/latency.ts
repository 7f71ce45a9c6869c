/**
 * B4: enqueue-to-start latency with idle workers (B6 measures it again at each depth).
 *
 * @module
 */
import { parseJobSpec } from "../src/spec.ts";
import {
  countJobs,
  enqueueJobs,
  getJob,
  listAttempts,
  readConfig,
  type Store,
} from "../src/store/mod.ts";
import { sleep, TempDb, waitIdle, waitUntil } from "./lib.ts";
import { type Summary, summary } from "./stats.ts";
import { type Env, withWorkers } from "./workload_env.ts";

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
