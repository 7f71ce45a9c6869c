/**
 * Telling a finished job's dependents its outcome. The transition that makes a job with
 * dependents final leaves a `["dep_done", id]` marker (see `transition.ts`), so the finish commit
 * stays cheap; then the finishing process (and, as a safety net, every worker's maintenance)
 * works through the job's `["dep", id, child]` edges here, five per atomic operation. Each
 * operation checks the edges and the children it read and deletes the edges it handled with the
 * children's new records, so an edge is processed at least once and takes effect exactly once,
 * whoever crashes when.
 *
 * @module
 */
import type { Job, JobState } from "../job.ts";
import { afterDependency } from "../dependency.ts";
import { REMOTE_LIMITS, Tx } from "./db.ts";
import { keys } from "./keys.ts";
import { applyTransition } from "./transition.ts";
import type { Store } from "./open.ts";

/** Edges per atomic operation: each checks its edge and its child. */
const PER_OP = REMOTE_LIMITS.checks / 2;

/** What a propagation did. */
export interface Propagated {
  /** Dependents that became runnable (or stay held with nothing left to wait on). */
  released: number;
  /** Dependents canceled by a dependency that ended dead or canceled (down the chain too). */
  canceled: number;
}

/**
 * Propagates the outcome of job `id` (its `dep_done` marker) to every dependent, then to their
 * dependents when that canceled them, and removes the markers. Does nothing without a marker.
 * Safe to run in several processes at once.
 *
 * @example
 * ```ts
 * import type { Store } from "./open.ts";
 * declare const store: Store;
 * const { released, canceled } = await propagateDone(store, "a1", { now: Date.now() });
 * ```
 */
export async function propagateDone(
  store: Store,
  id: string,
  options: { now: number; hooks?: boolean },
): Promise<Propagated> {
  const out: Propagated = { released: 0, canceled: 0 };
  const queue = [id];
  for (let parent = queue.shift(); parent !== undefined; parent = queue.shift()) {
    await propagateOne(store, parent, { ...options, out, queue });
  }
  if (out.released > 0) await store.doorbell.ring();
  return out;
}

/**
 * Propagates up to `limit` (default 100) outstanding markers: a worker's maintenance calls it
 * to finish what a crashed process left. Returns what it did.
 *
 * @example
 * ```ts
 * import type { Store } from "./open.ts";
 * declare const store: Store;
 * await propagatePending(store, { now: Date.now() });
 * ```
 */
export async function propagatePending(
  store: Store,
  options: { now: number; limit?: number; hooks?: boolean },
): Promise<Propagated> {
  const out: Propagated = { released: 0, canceled: 0 };
  const markers = await store.db.list<JobState>(
    { prefix: keys.depDoneAll },
    { limit: options.limit ?? 100 },
  );
  for (const m of markers) {
    const done = await propagateDone(store, String(m.key[1]), options);
    out.released += done.released;
    out.canceled += done.canceled;
  }
  return out;
}

async function propagateOne(
  store: Store,
  parent: string,
  options: { now: number; hooks?: boolean; out: Propagated; queue: string[] },
): Promise<void> {
  for (;;) {
    const marker = await store.db.get<JobState>(keys.depDone(parent));
    if (marker.value === null) return;
    const edges = await store.db.list<true>({ prefix: keys.deps(parent) }, { limit: PER_OP });
    if (edges.length === 0) {
      // Checked: a newer outcome written meanwhile (a re-run that ended) keeps its marker.
      const tx = new Tx().check(marker.key, marker.versionstamp).delete(marker.key);
      if (await store.db.commit(tx) !== null) return;
      continue;
    }
    const children = await store.db.getMany<Job>(edges.map((e) => keys.job(String(e.key[2]))));
    const tx = new Tx();
    const changed: Job[] = [];
    for (const [k, edge] of edges.entries()) {
      const child = children[k]!;
      tx.check(edge.key, edge.versionstamp).delete(edge.key);
      if (!child.value) continue; // Deleted meanwhile: only its edge is left to remove.
      const after = afterDependency(child.value, {
        parent,
        outcome: marker.value,
        now: options.now,
      });
      if (after === child.value) continue;
      tx.check(child.key, child.versionstamp);
      applyTransition(tx, child.value, after, { hooks: options.hooks });
      changed.push(after);
    }
    if (await store.db.commit(tx) === null) continue; // Lost a race: read again.
    for (const job of changed) {
      if (job.state === "canceled") {
        options.out.canceled++;
        if (job.dependents) options.queue.push(job.id);
      } else if (job.blocked_on === undefined) options.out.released++;
    }
  }
}
