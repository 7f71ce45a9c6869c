/**
 * Removing finished jobs and their history, one at a time or in bounded batches.
 *
 * @module
 */
import { FINAL_STATES, type Job, type JobState } from "../job.ts";
import { ConflictError, UsageError } from "../errors.ts";
import { Tx } from "./db.ts";
import { keys } from "./keys.ts";
import { applyTransition } from "./transition.ts";
import type { Store } from "./open.ts";
import { transactJob } from "./transact_job.ts";
import { type BulkResult, bulkTransition, type Selection } from "./bulk.ts";

/**
 * Deletes a finished (completed, dead or canceled) job, its attempts and its output.
 *
 * @example
 * ```ts
 * import type { Store } from "./open.ts";
 * declare const store: Store;
 * await deleteJob(store, "a1");
 * ```
 */
export async function deleteJob(store: Store, id: string): Promise<void> {
  await transactJob(store, {
    id,
    decide: (job) => {
      if (!FINAL_STATES.includes(job.state)) {
        throw new ConflictError(`job "${id}" is ${job.state}; cancel it before deleting it`);
      }
      return null;
    },
  });
  await deleteHistory(store, id);
}

/**
 * Deletes the finished jobs of `selection` and their history, in batches (see
 * `bulkTransition`); jobs that are not finished are skipped.
 *
 * @example
 * ```ts
 * import type { Store } from "./open.ts";
 * declare const store: Store;
 * const r = await deleteJobs(store, { label: ["batch", "7"] });
 * r.byState.deleted; // how many were deleted
 * ```
 */
export function deleteJobs(
  store: Store,
  selection: Selection,
  options: { onProgress?: (done: number) => void } = {},
): Promise<BulkResult> {
  return bulkTransition(store, selection, {
    decide: (job) => FINAL_STATES.includes(job.state) ? null : undefined,
    onProgress: options.onProgress,
    onDeleted: async (ids) => {
      await Promise.all(ids.map((id) => deleteHistory(store, id)));
    },
  });
}

/** Options of {@linkcode purgeJobs}. */
export interface PurgeOptions {
  /** A final state: completed, dead or canceled. */
  state: JobState;
  /** Only jobs that reached the state before this time (ms). Default: all. */
  before?: number;
  /** Called after each batch with the number deleted so far. */
  onProgress?: (deleted: number) => void;
  /** Stop after this many (a sweep's bound). Default: no bound. */
  max?: number;
}

/**
 * Deletes the jobs of a final state, oldest first, five per atomic operation. The state index
 * is ordered by transition time, so an age limit stops the walk at the first younger job.
 *
 * @example
 * ```ts
 * import type { Store } from "./open.ts";
 * declare const store: Store;
 * const n = await purgeJobs(store, { state: "completed", before: Date.now() - 7 * 86_400_000 });
 * ```
 */
export async function purgeJobs(store: Store, options: PurgeOptions): Promise<number> {
  if (!FINAL_STATES.includes(options.state)) {
    throw new UsageError(`cannot purge ${options.state} jobs: only completed, dead or canceled`);
  }
  const max = options.max ?? Infinity;
  let deleted = 0;
  while (deleted < max) {
    const entries = await store.db.list<string>(
      { prefix: keys.stateAll(options.state) },
      { limit: Math.min(5, max - deleted) },
    );
    const jobs = await store.db.getMany<Job>(entries.map((e) => keys.job(e.value)));
    const tx = new Tx();
    const ids: string[] = [];
    let reachedYounger = false;
    for (const [i, entry] of entries.entries()) {
      const current = jobs[i];
      const job = current?.value;
      if (!current || !job || job.state !== options.state) continue;
      if (options.before !== undefined && job.updated_at >= options.before) {
        reachedYounger = true;
        break;
      }
      tx.check(entry.key, entry.versionstamp).check(current.key, current.versionstamp);
      applyTransition(tx, job, null);
      ids.push(job.id);
    }
    if (ids.length === 0) break;
    if (await store.db.commit(tx) !== null) {
      for (const id of ids) await deleteHistory(store, id);
      deleted += ids.length;
      options.onProgress?.(deleted);
    }
    if (reachedYounger) break;
  }
  return deleted;
}

async function deleteHistory(store: Store, id: string): Promise<void> {
  for (const prefix of [keys.attempts(id), keys.outputs(id)]) {
    for (;;) {
      const entries = await store.db.list<unknown>({ prefix }, { limit: 500 });
      if (entries.length === 0) break;
      const tx = new Tx();
      for (const e of entries) tx.delete(e.key);
      await store.db.commit(tx);
    }
  }
}
