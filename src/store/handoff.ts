/**
 * Finishing one job and claiming the next in a single atomic operation: one commit per job
 * instead of two, which halves the writes a busy worker makes to the shared file. And the way
 * back: releasing a claimed job that a stopping worker will not run.
 *
 * @module
 */
import { FINAL_STATES, type Job } from "../job.ts";
import { Tx } from "./db.ts";
import { keys } from "./keys.ts";
import { applyTransition } from "./transition.ts";
import { addClaim, type Claimed, claimStamp, noteLostRace, readCandidates } from "./claim.ts";
import { addFinish, type AttemptReport, finishAttempt, type FinishOptions } from "./finish.ts";
import type { Store } from "./open.ts";
import { commitCounted } from "./counted_commit.ts";
import { ringIfRoomFreed } from "./queue_registry.ts";

/** What {@linkcode finishAndClaimNext} did. */
export interface Handoff {
  /** The finished job as written, or null when its result was refused (fencing). */
  job: Job | null;
  /** The next job, already claimed for this worker, or null. */
  next: Claimed | null;
}

/**
 * Records the end of `claimed` and, in the same atomic operation, claims the next runnable job
 * for the same worker (three checks: the finished record, the candidate's `ready` entry and its
 * record, plus at most three for the candidate's queue gate). When that commit loses every race, it falls back to {@linkcode finishAttempt} alone, which
 * keeps every fencing rule, and the worker claims its next job the usual way.
 *
 * @example
 * ```ts
 * import type { RetrySettings } from "../retry_policy.ts";
 * import type { Claimed } from "./claim.ts";
 * import type { AttemptReport } from "./finish.ts";
 * import type { Store } from "./open.ts";
 * declare const store: Store;
 * declare const claimed: Claimed;
 * declare const report: AttemptReport;
 * declare const settings: RetrySettings;
 * const now = Date.now();
 * const { job, next } = await finishAndClaimNext(store, claimed, report, { now, settings });
 * ```
 */
export async function finishAndClaimNext(
  store: Store,
  claimed: Claimed,
  report: AttemptReport,
  options: FinishOptions & {
    random?: () => number;
    queues?: readonly string[];
    clock?: () => number;
  },
): Promise<Handoff> {
  const workerId = claimed.job.worker ?? "";
  const candidates = await readCandidates(store, {
    workerId,
    now: options.now,
    random: options.random,
    queues: options.queues,
    leaving: [claimed.job],
  });
  // A lost race for a candidate tries the next one; when every try fails (the other worker
  // took them, or this job's own record changed), the result is written alone.
  const { tally, now } = options;
  for (const candidate of candidates) {
    if (candidate.current.value.id === claimed.job.id) continue;
    const tx = new Tx().check(keys.job(claimed.job.id), claimed.versionstamp);
    const { value: [job, next], versionstamp } = await commitCounted(store, {
      tx,
      now,
      tally,
      build: (metrics) => {
        const done = addFinish(tx, claimed.job, report, { ...options, metrics });
        const stamp = claimStamp({ now, clock: options.clock });
        const claim = addClaim(tx, candidate, { workerId, now: stamp, metrics });
        // The job leaving processing and the next entering it net to zero on its counter.
        tx.dropZeroSums();
        return [done, claim] as const;
      },
    });
    if (versionstamp !== null) {
      if (job.state === "pending") await store.doorbell.ring();
      else await ringIfRoomFreed(store, [job], [next]);
      if (FINAL_STATES.includes(job.state)) await store.endBell.ring();
      return { job, next: { job: next, versionstamp } };
    }
    noteLostRace(workerId, now);
  }
  return { job: await finishAttempt(store, claimed, report, options), next: null };
}

/**
 * Undoes a claim whose job never started (its worker is stopping): the job goes back to
 * pending, uncharged, and the unopened attempt record is removed. Returns false when the job
 * was no longer this claim's (then whoever changed it owns what happens next).
 *
 * @example
 * ```ts
 * import type { Claimed } from "./claim.ts";
 * import type { Store } from "./open.ts";
 * declare const store: Store;
 * declare const next: Claimed; // claimed by the handoff, but the worker is stopping
 * await releaseClaim(store, next, { now: Date.now() });
 * ```
 */
export async function releaseClaim(
  store: Store,
  claimed: Claimed,
  options: { now: number },
): Promise<boolean> {
  const before = claimed.job;
  const after: Job = {
    ...before,
    state: "pending",
    attempts: before.attempts - 1,
    runs: before.runs - 1,
    updated_at: options.now,
  };
  const tx = new Tx().check(keys.job(before.id), claimed.versionstamp);
  applyTransition(tx, before, after);
  tx.delete(keys.attempt(before.id, before.runs));
  if (await store.db.commit(tx) === null) return false;
  await store.doorbell.ring();
  return true;
}
