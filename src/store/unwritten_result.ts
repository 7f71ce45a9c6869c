/**
 * The real cause of a "worker lost" attempt whose worker was alive but could not write its
 * result (a full disk): the worker adds it once a write gets through again.
 *
 * @module
 */
import type { Attempt, Job } from "../job.ts";
import { Tx } from "./db.ts";
import { keys } from "./keys.ts";
import type { Store } from "./open.ts";

/** The attempt whose result was not written: its job, its run number and its worker. */
export interface UnwrittenAttempt {
  /** The job's id. */
  id: string;
  /** The attempt's number (the job's `runs` when it was claimed). */
  n: number;
  /** The worker that ran it. */
  worker: string;
}

/**
 * Puts `note` in front of the error of an attempt that recovery closed as `worker_lost` while
 * its worker held a result it could not write. The job's `last_error` gets it too while that
 * attempt is still the job's latest and its error is recovery's. One atomic operation checks
 * both records. Returns false, writing nothing, when the attempt was not closed that way (the
 * worker's own result got through after all, or it is another worker's).
 *
 * @example
 * ```ts
 * import type { Store } from "./open.ts";
 * declare const store: Store;
 * const id = "a1";
 * const worker = "web-1:4242:0";
 * await noteUnwrittenResult(store, { id, n: 3, worker }, "result could not be written: database or disk is full");
 * ```
 */
export async function noteUnwrittenResult(
  store: Store,
  attempt: UnwrittenAttempt,
  note: string,
): Promise<boolean> {
  const attemptKey = keys.attempt(attempt.id, attempt.n);
  const jobKey = keys.job(attempt.id);
  for (;;) {
    const [a, j] = await store.db.getMany<unknown>([attemptKey, jobKey]) as [
      Deno.KvEntryMaybe<Attempt>,
      Deno.KvEntryMaybe<Job>,
    ];
    const lost = a.value;
    if (!lost || lost.worker !== attempt.worker || lost.outcome !== "worker_lost") return false;
    if (lost.error?.startsWith(note)) return true;
    const error = lost.error ? `${note}; then ${lost.error}` : note;
    const tx = new Tx().check(attemptKey, a.versionstamp).set(attemptKey, { ...lost, error });
    const job = j.value;
    if (job && job.runs === attempt.n && job.last_error === lost.error) {
      tx.check(jobKey, j.versionstamp).set(jobKey, { ...job, last_error: error });
    }
    if (await store.db.commit(tx) !== null) return true;
  }
}
