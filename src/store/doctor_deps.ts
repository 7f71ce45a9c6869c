/**
 * `doctor --repair` for dependencies: moving on the blocked jobs none of whose dependencies can
 * still finish and whose outcome no propagation is bringing (a straggler, see `invariants.ts`).
 *
 * @module
 */
import type { Job } from "../job.ts";
import { dependencyCanceled, runnable } from "../dependency.ts";
import { dependencyViolations } from "../invariants.ts";
import type { Store } from "./open.ts";
import { readQuiet } from "./doctor_snapshot.ts";
import { transactJob } from "./transact_job.ts";

/**
 * Releases every straggler (or cancels it when a dependency ended dead, canceled or is gone),
 * each in one checked operation that leaves it alone if it moved meanwhile. Returns how many
 * it moved.
 *
 * @example
 * ```ts
 * import type { Store } from "./open.ts";
 * declare const store: Store;
 * const moved = await releaseStragglers(store, { now: Date.now() });
 * ```
 */
export async function releaseStragglers(store: Store, options: { now: number }): Promise<number> {
  const { snap } = await readQuiet(store);
  const byId = new Map(snap.jobs.map((j) => [j.id, j]));
  let moved = 0;
  for (const v of dependencyViolations(snap)) {
    if (v.kind !== "blocked_straggler" || v.job === undefined) continue;
    const after = await transactJob(store, {
      id: v.job,
      decide: (job) => job.state === "blocked" ? moveOn(job, byId, options.now) : job,
    });
    if (after.state !== "blocked") moved++;
  }
  return moved;
}

/** The straggler as its dependencies' outcomes make it (pure). */
function moveOn(job: Job, byId: ReadonlyMap<string, Job>, now: number): Job {
  for (const id of job.after ?? []) {
    const dep = byId.get(id);
    if (dep?.state === "completed") continue;
    return dependencyCanceled(job, { parent: id, outcome: dep?.state ?? "missing", now });
  }
  return runnable(job, now);
}
