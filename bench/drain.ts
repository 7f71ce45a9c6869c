/**
 * B3 (and B7): draining `true` jobs with 1, 2, 4 and 8 slots, the spawn floors they are compared
 * with, and the memory and CPU of the workers read right after each drain (drain_one.ts); the
 * drains of `sleep 0.05` jobs are in sleep_drain.ts.
 *
 * @module
 */
import { defaultProcesses } from "../src/process_split.ts";
import { type CommitCeiling, commitCeiling } from "./commit_ceiling.ts";
import { type Drain, drain } from "./drain_one.ts";
import { type SleepDrain, sleepDrains } from "./sleep_drain.ts";
import { type Floor, floor } from "./spawn_floor.ts";
import { type TspDrain, tspDrain } from "./tsp.ts";
import { type Env, guarded } from "./workload_env.ts";

/** B3: drains with 1, 2, 4 and 8 slots, and the floors. */
export interface B3 {
  /** One process spawning all. */
  floor1: Floor;
  /** Two processes in parallel. */
  floor2: Floor;
  /** For each drain of K >= 4 slots: K spawns in flight, in the processes the worker would use. */
  floors: Floor[];
  /**
   * The floor of a durable queue: two processes, each job one job-sized commit (1 check, 4
   * mutations) and one `sh -c true`, no reads.
   */
  durable2: CommitCeiling;
  /** One drain per worker count (a drain that failed is left out, and the run fails). */
  drains: Drain[];
  /** 4 workers with the queue's concurrency limit at 2: the cost of the limit's checked counter. */
  limited: Drain | null;
  /** task-spooler draining the same jobs with 2 slots, or null without `tsp` on PATH. */
  tsp2: TspDrain | null;
  /** Drains of `sleep 0.05` jobs: throughput against the count's ideal, and the tree's RSS. */
  sleep: SleepDrain[];
}

/**
 * Runs B3: the floors, then one drain per worker count, task-spooler's drain and the drains of
 * `sleep` jobs. Past the first floors, a row that fails is left out (and fails the run) without
 * losing the others.
 */
export async function b3(env: Env): Promise<B3> {
  const n = env.sizes.b3Jobs;
  env.log(`  floor: ${n} x sh -c true from 1 process, then from 2`);
  const floor1 = await floor(n);
  const floor2 = await floor(n, { processes: 2 });
  const floors: Floor[] = [];
  for (const k of env.sizes.b3Workers.filter((w) => w >= 4)) {
    // The worker's own default layout: ⌈k/32⌉ processes sharing the k slots.
    const p = defaultProcesses(k);
    env.log(`  floor of ${k} slots: ${n} x sh -c true, ${k} at a time from ${p} process(es)`);
    const f = await guarded(
      env,
      `B3 floor of ${k} slots`,
      () => floor(n, { processes: p, inFlight: Math.ceil(k / p) }),
    );
    if (f) floors.push(f);
  }
  env.log(`  durable floor: ${n} x (one commit + sh -c true) from 2 processes on one file`);
  const dir = await Deno.makeTempDir({ dir: env.tmp, prefix: "durable-" });
  const durable2 = await commitCeiling(dir, n, 2, true);
  await Deno.remove(dir, { recursive: true });
  const drains: Drain[] = [];
  for (const w of env.sizes.b3Workers) {
    env.log(`  drain ${n} jobs with ${w} slot(s)`);
    const d = await guarded(env, `B3 drain with ${w} slot(s)`, () => drain(env, w, { jobs: n }));
    if (d) drains.push(d);
  }
  env.log(`  drain ${n} jobs with 4 workers, the queue limited to 2 at once`);
  const limited = await guarded(
    env,
    "B3 drain with a queue limit",
    () => drain(env, 4, { jobs: n, limit: 2 }),
  );
  env.log(`  task-spooler: ${Math.min(n, 900)} jobs with 2 slots (if tsp is installed)`);
  // The peer's row is a comparison, not a check of queuectl: a tsp that misbehaves loses the row.
  // tsp's daemon holds a connection per queued job and takes about 1,000.
  const tsp2 = await tspDrain(Math.min(n, 900), 2, env.tmp).catch((err) => {
    env.log(`  task-spooler row left out: ${err instanceof Error ? err.message : err}`);
    return null;
  });
  const sleep = await sleepDrains(env);
  return { floor1, floor2, floors, durable2, drains, limited, tsp2, sleep };
}
