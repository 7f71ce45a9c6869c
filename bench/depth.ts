/**
 * B6: the CLI's costs and B4's latency as the queue grows, on one database filled with far-future
 * scheduled jobs.
 *
 * @module
 */
import type { Store } from "../src/store/mod.ts";
import { bulkEnqueue } from "./enqueue_workloads.ts";
import { type Latency, latencyWithWorkers } from "./latency.ts";
import type { TempDb } from "./lib.ts";
import { type Summary, summary } from "./stats.ts";
import { type Env, FAR_FUTURE_SPEC } from "./workload_env.ts";

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
