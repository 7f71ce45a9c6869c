/**
 * The Dead Letter Queue: giving dead jobs another full set of attempts.
 *
 * @module
 */
import type { Job } from "../job.ts";
import { newId } from "../ids.ts";
import { ConflictError } from "../errors.ts";
import { Tx } from "./db.ts";
import { keys } from "./keys.ts";
import { applyTransition } from "./transition.ts";
import type { Store } from "./open.ts";
import { transactJob } from "./transact_job.ts";

/**
 * Moves one dead job back to pending with its attempt count reset; its history is kept.
 *
 * @example
 * ```ts
 * import type { Store } from "./open.ts";
 * declare const store: Store;
 * await retryDead(store, "a1", { now: Date.now() });
 * ```
 */
export async function retryDead(store: Store, id: string, options: { now: number }): Promise<Job> {
  const after = await transactJob(store, {
    id,
    decide: (job) => {
      if (job.state !== "dead") {
        throw new ConflictError(`job "${id}" is ${job.state}, not in the DLQ (dead)`);
      }
      return requeued(job, options.now);
    },
  });
  await store.doorbell.ring();
  return after;
}

/**
 * Moves every dead job back to pending, in batches of 5 (two keys checked per job, within the
 * remote limit of 10 checks). Returns how many moved.
 *
 * @example
 * ```ts
 * import type { Store } from "./open.ts";
 * declare const store: Store;
 * const n = await retryAllDead(store, { now: Date.now() });
 * ```
 */
export async function retryAllDead(
  store: Store,
  options: { now: number; onProgress?: (done: number) => void },
): Promise<number> {
  let moved = 0;
  for (;;) {
    const entries = await store.db.list<string>({ prefix: keys.stateAll("dead") }, { limit: 5 });
    if (entries.length === 0) break;
    const jobs = await store.db.getMany<Job>(entries.map((e) => keys.job(e.value)));
    const tx = new Tx();
    let n = 0;
    for (const [i, entry] of entries.entries()) {
      const current = jobs[i];
      if (!current?.value || current.value.state !== "dead") continue;
      tx.check(entry.key, entry.versionstamp).check(current.key, current.versionstamp);
      applyTransition(tx, current.value, requeued(current.value, options.now));
      n++;
    }
    if (n === 0) break;
    if (await store.db.commit(tx) !== null) {
      moved += n;
      options.onProgress?.(moved);
    }
  }
  if (moved > 0) await store.doorbell.ring();
  return moved;
}

/**
 * The job with a fresh set of attempts, pending at `now` (pure): `dlq retry` and `retry` both
 * requeue with it; `runs` and the history are kept.
 *
 * @example
 * ```ts
 * import type { Job } from "../job.ts";
 * declare const dead: Job;
 * requeued(dead, Date.now()).attempts; // 0
 * ```
 */
export function requeued(job: Job, now: number): Job {
  return {
    ...job,
    state: "pending",
    attempts: 0,
    run_at: now,
    seq: newId(now),
    updated_at: now,
    cancel_requested: false,
  };
}
