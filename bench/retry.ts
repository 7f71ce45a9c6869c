/**
 * B5: how late a backoff retry starts after it is due.
 *
 * @module
 */
import { parseJobSpec } from "../src/spec.ts";
import { enqueueJobs, listAttempts } from "../src/store/mod.ts";
import { sleep, TempDb, waitFinished, waitIdle } from "./lib.ts";
import { type Summary, summary } from "./stats.ts";
import { type Env, withWorkers } from "./workload_env.ts";

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
