/**
 * B8 (issue #17): end-to-end latency of one `true` job on an idle worker, from its record's
 * `created_at` to its `finished_at`, beside task-spooler's `tsp true` to `tsp -w` returning.
 *
 * @module
 */
import { parseJobSpec } from "../src/spec.ts";
import { enqueueJobs, getJob, readConfig, type Store } from "../src/store/mod.ts";
import { waitJobs } from "../src/store/wait_jobs.ts";
import { sleep, TempDb, waitIdle } from "./lib.ts";
import { type Summary, summary } from "./stats.ts";
import { tspLatency } from "./tsp.ts";
import { type Env, withWorkers } from "./workload_env.ts";

/** B8's figures, ms. */
export interface EndToEnd {
  /** Jobs timed, one at a time. */
  jobs: number;
  /** Slots of the idle worker (`worker start --count`), and of tsp's daemon. */
  slots: number;
  /** `finished_at - created_at` from each job record (the figure). */
  created_to_finished: Summary;
  /** `started_at - created_at`: the wake-up and claim's share of it. */
  created_to_started: Summary;
  /** As the bench saw it: from the `enqueueJobs` call until `waitJobs` returned the job ended. */
  seen_by_caller: Summary;
  /** task-spooler: `tsp true` called until `tsp -w ID` returned; null without tsp. */
  tsp: Summary | null;
}

/**
 * Enqueues `n` `true` jobs from this process, one at a time, each `gapMs` after the last one
 * ended (so the slots are idle again), and returns their ids and the caller's times.
 */
async function oneAtATime(
  store: Store,
  { n, gapMs }: { n: number; gapMs: number },
): Promise<{ ids: string[]; seen: number[] }> {
  const { max_retries } = await readConfig(store);
  const ids: string[] = [];
  const seen: number[] = [];
  for (let i = 0; i < n; i++) {
    await sleep(gapMs);
    const t0 = performance.now();
    const now = Date.now();
    const spec = parseJobSpec({ command: "true" }, { now });
    const [job] = await enqueueJobs(store, [spec], { now, maxRetries: max_retries });
    // The end bell wakes the wait (as `queuectl wait` is woken); the poll only bounds a miss.
    const [ended] = await waitJobs(store, [job!.id], {
      pollMs: 100,
      signal: AbortSignal.timeout(10_000),
    });
    seen.push(performance.now() - t0);
    if (ended?.state !== "completed") {
      throw new Error(`B8: job ${job!.id} is ${ended?.state ?? "gone"}, not completed`);
    }
    ids.push(job!.id);
  }
  return { ids, seen };
}

/**
 * Runs B8: `worker start --count 2` left idle, then `e2eJobs` jobs one at a time; then tsp's
 * daemon with 2 slots and the same number of `tsp true` (a tsp that fails loses only its row).
 *
 * @example
 * ```ts
 * import type { Env } from "./workload_env.ts";
 * declare const env: Env;
 * const e = await b8(env); // e.created_to_finished.p50: the end-to-end figure
 * ```
 */
export async function b8(env: Env): Promise<EndToEnd> {
  const n = env.sizes.e2eJobs;
  const gapMs = env.sizes.b4GapMs;
  const slots = 2;
  const db = await TempDb.create(env.tmp, "b8");
  const store = await db.open();
  let run: { ids: string[]; seen: number[] };
  try {
    run = await withWorkers(env, db, slots, async () => {
      await waitIdle(store, slots);
      await sleep(300);
      return await oneAtATime(store, { n, gapMs });
    }, store);
    const toFinish: number[] = [];
    const toStart: number[] = [];
    for (const id of run.ids) {
      const job = (await getJob(store, id))!;
      toFinish.push(job.finished_at! - job.created_at);
      toStart.push(job.started_at! - job.created_at);
    }
    env.log(`  task-spooler: ${n} x (tsp true, tsp -w) with ${slots} idle slots (if installed)`);
    const tsp = await tspLatency(env.tmp, { jobs: n, slots, gapMs }).catch((err) => {
      env.log(`  task-spooler row left out: ${err instanceof Error ? err.message : err}`);
      return null;
    });
    return {
      jobs: n,
      slots,
      created_to_finished: summary(toFinish),
      created_to_started: summary(toStart),
      seen_by_caller: summary(run.seen),
      tsp,
    };
  } finally {
    store.close();
    await db.remove();
  }
}
