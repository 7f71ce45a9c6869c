/**
 * What the workloads share: the {@linkcode Env} each one gets, the job specs they enqueue, and
 * running a function with a group of workers.
 *
 * @module
 */
import type { Job } from "../src/job.ts";
import { listJobs, listWorkers, type Store } from "../src/store/mod.ts";
import { startWorkers, stopWorkers, type TempDb, type WorkerGroup } from "./lib.ts";
import type { Sizes } from "./sizes.ts";

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
  /** Records a row's failure: the run goes on and fails at the end, as a failed workload does. */
  fail: (message: string) => void;
}

/**
 * Runs one row of a workload: its failure is recorded with `env.fail` and returns null, so that
 * the workload's other rows are still measured and printed.
 *
 * @example
 * ```ts
 * declare const env: Env;
 * const n = await guarded(env, "B3 floor of 8 slots", async () => 42); // null had it thrown
 * ```
 */
export async function guarded<T>(
  env: Env,
  what: string,
  fn: () => Promise<T>,
): Promise<T | null> {
  try {
    return await fn();
  } catch (err) {
    env.fail(`${what}: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    return null;
  }
}

/** The spec of a job that does nothing: the workloads time the queue, not the command. */
export const TRUE_SPEC = '{"command":"true"}';
/** How long each job of B3's throughput drains sleeps, in seconds. */
export const SLEEP_S = 0.05;
/** A job that only waits: a drain of these is bound by the slots, not the CPU. */
export const SLEEP_SPEC = `{"command":"sleep ${SLEEP_S}"}`;
/** A job scheduled so far ahead that it only adds depth: no worker claims it during a run. */
export const FAR_FUTURE_SPEC = '{"command":"true","run_at":"2100-01-01T00:00:00Z"}';

/**
 * Runs `fn` with `count` workers started through the CLI, and stops them afterwards even if it
 * throws; registered in `env.running` meanwhile, so that an interrupted bench can stop them too.
 */
export async function withWorkers<T>(
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

/** Every job in `state`, read page by page. */
export async function allJobs(store: Store, state: Job["state"]): Promise<Job[]> {
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
