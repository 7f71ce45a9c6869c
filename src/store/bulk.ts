/**
 * One state change applied to many jobs: the selected jobs are read in groups, each is decided
 * on its own (pure), and each group commits as one atomic operation that checks every record it
 * read: ten jobs on a remote KV (its limit of ten checks), a hundred on a local file, where each
 * commit costs a few milliseconds whatever its size (100k scheduled jobs: 30 s in groups of ten,
 * see the README). Several groups are in flight at once; they name disjoint jobs, so they never
 * fail each other's checks.
 *
 * @module
 */
import type { Job, JobState } from "../job.ts";
import { REMOTE_LIMITS } from "./db.ts";
import { Tx } from "./tx.ts";
import { keys } from "./keys.ts";
import { applyTransition } from "./transition.ts";
import type { Store } from "./open.ts";
import { selectedIds, type Selection, selects } from "./bulk_select.ts";

export type { Selection } from "./bulk_select.ts";

/**
 * What a bulk change makes of one job: the job as it should become, null to delete it, or
 * undefined to skip it (its state does not allow the change). Returning the job itself leaves
 * it as it is and counts it as skipped.
 *
 * @example
 * ```ts
 * import type { Job } from "../job.ts";
 * const cancel: BulkDecision = (job: Job) =>
 *   job.state === "scheduled" ? { ...job, state: "canceled" } : undefined;
 * ```
 */
export type BulkDecision = (job: Job) => Job | null | undefined;

/** Options of {@linkcode bulkTransition}. */
export interface BulkOptions {
  /** The change, decided per job. It may run again for a job after a lost race. */
  decide: BulkDecision;
  /** Called after each committed group with the number of jobs looked at so far. */
  onProgress?: (done: number) => void;
  /** Called with the ids of each committed group's deleted jobs (to remove their history). */
  onDeleted?: (ids: string[]) => Promise<void>;
  /** Groups in flight at once. Default 8. */
  inFlight?: number;
  /** A finish hook is configured: a final state writes its outbox entry (`hook_outbox.ts`). */
  hooks?: boolean;
}

/**
 * What {@linkcode bulkTransition} did: how many jobs changed, by the state they reached
 * (`deleted` for deleted ones); how many were skipped; which explicit ids do not exist.
 *
 * @example
 * ```ts
 * const result: BulkResult = { changed: 3, byState: { canceled: 3 }, skipped: 1, missing: [] };
 * ```
 */
export interface BulkResult {
  /** Jobs changed. */
  changed: number;
  /** Changed jobs by the state they reached; `deleted` counts deleted ones. */
  byState: Partial<Record<JobState | "deleted", number>>;
  /** Selected jobs whose state does not allow the change. */
  skipped: number;
  /** Explicit ids with no job. */
  missing: string[];
}

/**
 * Applies `options.decide` to every job of `selection`, in atomic operations of up to ten jobs
 * that each check the records they read; a group that lost a race is read and decided again.
 * Each change goes through `applyTransition`, so indexes, counters and metrics follow.
 *
 * @example
 * ```ts
 * import type { Store } from "./open.ts";
 * declare const store: Store;
 * const now = Date.now();
 * const result = await bulkTransition(store, { state: "scheduled" }, {
 *   decide: (job) => ({ ...job, state: "canceled", updated_at: now, finished_at: now }),
 * });
 * ```
 */
export async function bulkTransition(
  store: Store,
  selection: Selection,
  options: BulkOptions,
): Promise<BulkResult> {
  const result: BulkResult = { changed: 0, byState: {}, skipped: 0, missing: [] };
  const limit = options.inFlight ?? 8;
  const running = new Set<Promise<void>>();
  let done = 0;
  let failure: unknown = undefined;
  // One record check per job: as many jobs as the database takes checks in one operation.
  const group = store.db.maxChecks;
  const run = (ids: string[]) => {
    const p = commitGroup(store, ids, selection, options, result)
      .then((n) => {
        done += n;
        options.onProgress?.(done);
      })
      .catch((err) => failure ??= err)
      .finally(() => running.delete(p));
    running.add(p);
  };
  for await (const ids of selectedIds(store, selection)) {
    for (let i = 0; i < ids.length; i += group) {
      while (running.size >= limit) await Promise.race(running);
      if (failure !== undefined) break;
      run(ids.slice(i, i + group));
    }
    // No wait for this page's groups: the next page starts after its last key, so a job still
    // in flight is not listed again, and a changed job leaves the listing or keeps its key.
    if (failure !== undefined) break;
  }
  await Promise.all(running);
  if (failure !== undefined) throw failure;
  return result;
}

/** Reads, decides and commits one group until its commit holds; returns how many it looked at. */
async function commitGroup(
  store: Store,
  ids: string[],
  selection: Selection,
  options: BulkOptions,
  result: BulkResult,
): Promise<number> {
  for (;;) {
    const entries = await store.db.getMany<Job>(ids.map((id) => keys.job(id)));
    const tx = new Tx();
    const changed: Job[] = [];
    const deleted: string[] = [];
    let skipped = 0;
    const missing: string[] = [];
    for (const [i, entry] of entries.entries()) {
      const job = entry.value;
      if (!job) {
        if (selection.ids) missing.push(ids[i]!);
        continue;
      }
      if (!selects(selection, job)) continue;
      const after = options.decide(job);
      if (after === undefined || after === job) {
        skipped++;
        continue;
      }
      tx.check(entry.key, entry.versionstamp);
      applyTransition(tx, job, after, { hooks: options.hooks });
      if (after) changed.push(after);
      else deleted.push(job.id);
    }
    const big = tx.mutations.length > REMOTE_LIMITS.mutations || tx.bytes > REMOTE_LIMITS.bytes;
    if (big && ids.length > 1) {
      // Many labels or long commands: two halves, each its own operation.
      const half = Math.ceil(ids.length / 2);
      return await commitGroup(store, ids.slice(0, half), selection, options, result) +
        await commitGroup(store, ids.slice(half), selection, options, result);
    }
    if (!tx.empty && await store.db.commit(tx) === null) continue; // A job moved: read again.
    for (const job of changed) tally(result, job.state);
    for (let i = 0; i < deleted.length; i++) tally(result, "deleted");
    result.skipped += skipped;
    result.missing.push(...missing);
    if (deleted.length > 0) await options.onDeleted?.(deleted);
    return ids.length;
  }
}

function tally(result: BulkResult, key: JobState | "deleted"): void {
  result.changed++;
  result.byState[key] = (result.byState[key] ?? 0) + 1;
}
