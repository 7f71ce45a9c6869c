/**
 * B3's drains of `sleep 0.05` jobs (issue #17): with jobs that only wait, a drain is bound by its
 * slots, so its throughput is compared with what the count allows (count / 0.05 s), and the
 * worker tree's RSS at a high count with the tree's at `--count 2`.
 *
 * @module
 */
import { type Drain, drain } from "./drain_one.ts";
import { type Env, guarded, SLEEP_S, SLEEP_SPEC } from "./workload_env.ts";

/** One drain of `sleep` jobs. */
export interface SleepDrain {
  /** Slots (`worker start --count`). */
  count: number;
  /** Seconds each job sleeps. */
  job_s: number;
  /** What the slots allow: count / job_s jobs per second. */
  ideal_jobs_per_s: number;
  /** The drain (its `usage.tree_peak_rss_mib` is the worker tree's peak). */
  drain: Drain;
}

/**
 * Drains `count × rounds` `sleep 0.05` jobs for each count of the sizes; a drain that fails is
 * left out (and fails the run) without losing the others.
 *
 * @example
 * ```ts
 * import type { Env } from "./workload_env.ts";
 * declare const env: Env;
 * const rows = await sleepDrains(env); // one per env.sizes.b3SleepCounts
 * ```
 */
export async function sleepDrains(env: Env): Promise<SleepDrain[]> {
  const out: SleepDrain[] = [];
  for (const count of env.sizes.b3SleepCounts) {
    const jobs = count * env.sizes.b3SleepRounds;
    env.log(`  drain ${jobs} x sleep ${SLEEP_S} with ${count} slots`);
    const d = await guarded(
      env,
      `B3 drain of sleep jobs with ${count} slots`,
      () => drain(env, count, { jobs, spec: SLEEP_SPEC }),
    );
    if (d) out.push({ count, job_s: SLEEP_S, ideal_jobs_per_s: count / SLEEP_S, drain: d });
  }
  return out;
}
