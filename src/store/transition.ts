/**
 * The one primitive behind every state change: rewrite the job, move its index entries and
 * adjust the counters, all inside the caller's atomic operation (and, when a job others wait on
 * becomes final, leave its `dep_done` marker). Because every transition goes
 * through here, a job is always in exactly the indexes that match its state.
 *
 * @module
 */
import { FINAL_STATES, type Job } from "../job.ts";
import { keys } from "./keys.ts";
import type { Tx } from "./db.ts";
import { counterKeys, type MetricSink } from "./metric_sink.ts";
import { holdsUniqueKey } from "../unique.ts";
import { newHookEntry } from "./hook_entry.ts";
import { queueOf } from "../queue.ts";
import { inCreationOrder } from "../ids.ts";

/**
 * The index keys a job must have in its state (besides `["job", id]`): its `state` entry, except
 * that a pending job is listed by its `ready` entry alone.
 *
 * @example
 * ```ts
 * import { FINAL_STATES, type Job } from "../job.ts";
 * declare const job: Job;
 * indexKeys({ ...job, state: "pending" }); // [["ready", queue, -p, seq, id]]
 * indexKeys({ ...job, state: "failed" }); // [["state", "failed", seq, id], ["scheduled", t, id]]
 * ```
 */
export function indexKeys(job: Job): Deno.KvKey[] {
  if (job.state === "pending") return [keys.ready(queueOf(job), job.priority, job.seq, job.id)];
  const out: Deno.KvKey[] = [keys.state(job.state, job.seq, job.id)];
  if (job.state === "scheduled" || job.state === "failed") {
    out.push(keys.scheduled(job.run_at, job.id));
  }
  return out;
}

/**
 * The label index keys of a job: one per label. Labels never change, so these are written when
 * the job is created and deleted when it is.
 *
 * @example
 * ```ts
 * import type { Job } from "../job.ts";
 * declare const job: Job;
 * labelKeys({ ...job, labels: { batch: "7" } }); // [["label", "batch", "7", created_at, id]]
 * ```
 */
export function labelKeys(job: Job): Deno.KvKey[] {
  const out: Deno.KvKey[] = [];
  if (!job.labels) return out;
  for (const [k, v] of Object.entries(job.labels)) {
    out.push(keys.label(k, v, job.created_at, job.id));
  }
  return out;
}

/**
 * The creation entry a job needs: none when its id already sorts by its creation time (every
 * generated id, so a bulk enqueue still writes two rows a job), else `["created", t, id]`.
 *
 * @example
 * ```ts
 * import type { Job } from "../job.ts";
 * declare const job: Job;
 * createdKeys({ ...job, id: "nightly", created_at: 5 }); // [["created", 5, "nightly"]]
 * ```
 */
export function createdKeys(job: Job): Deno.KvKey[] {
  return inCreationOrder(job.id, job.created_at) ? [] : [keys.created(job.created_at, job.id)];
}

/**
 * The index keys a job has for its whole life, whatever its state: its creation entry (see
 * {@linkcode createdKeys}) and one per label. They are written when the job is created and
 * deleted when it is.
 *
 * @example
 * ```ts
 * import type { Job } from "../job.ts";
 * declare const job: Job;
 * lifetimeKeys({ ...job, id: "nightly", labels: { batch: "7" } });
 * // [["created", created_at, "nightly"], ["label", "batch", "7", created_at, "nightly"]]
 * ```
 */
export function lifetimeKeys(job: Job): Deno.KvKey[] {
  return [...createdKeys(job), ...labelKeys(job)];
}

/**
 * Adds to `tx` everything that turns `before` into `next`: index entries (and, when the job is
 * created or deleted, its creation and label entries) removed and added,
 * state counters moved, the metrics handed to `options.metrics` (default: counter keys), the
 * record written. With `options.hooks` (a finish hook is configured), a move into a final state
 * also writes the hook's outbox entry. `before` null is a new job; `next` null deletes it. The caller adds the
 * checks (the versionstamps it read).
 *
 * @example
 * ```ts
 * import { FINAL_STATES, type Job } from "../job.ts";
 * import type { Store } from "./open.ts";
 * import { Tx } from "./tx.ts";
 * declare const store: Store;
 * declare const current: Deno.KvEntry<Job>;
 * const tx = new Tx().check(current.key, current.versionstamp);
 * applyTransition(tx, current.value, { ...current.value, state: "canceled" });
 * await store.db.commit(tx);
 * ```
 */
export function applyTransition(
  tx: Tx,
  before: Job | null,
  next: Job | null,
  options: { metrics?: MetricSink; hooks?: boolean } = {},
): void {
  const after = requeuedWithoutKey(before, next);
  const id = (after ?? before)?.id;
  if (id === undefined) return;
  const oldKeys = before ? indexKeys(before) : [];
  const newKeys = after ? indexKeys(after) : [];
  if (!before || !after) {
    // A new or deleted job has nothing to compare (and bulk enqueue makes 100k of these).
    for (const k of oldKeys) tx.delete(k);
    for (const k of newKeys) tx.set(k, id);
    // Creation time and labels never change, so their entries move only when the job is
    // created or deleted.
    if (before) { for (const k of createdKeys(before)) tx.delete(k); }
    if (after) { for (const k of createdKeys(after)) tx.set(k, id); }
    if (before?.labels) { for (const k of labelKeys(before)) tx.delete(k); }
    if (after?.labels) { for (const k of labelKeys(after)) tx.set(k, id); }
  } else {
    // At most two keys a side: comparing parts beats building strings on the per-job path.
    for (const k of oldKeys) if (!newKeys.some((n) => sameKey(n, k))) tx.delete(k);
    for (const k of newKeys) if (!oldKeys.some((o) => sameKey(o, k))) tx.set(k, id);
  }
  if (before?.state !== after?.state) {
    // The queue's counters move beside the global ones; Tx merges a batch's sums per queue.
    if (before) {
      tx.add(keys.count(before.state), -1);
      tx.add(keys.qcount(queueOf(before), before.state), -1);
    }
    if (after) {
      tx.add(keys.count(after.state), 1);
      tx.add(keys.qcount(queueOf(after), after.state), 1);
    }
  }
  const [oldEnv, newEnv] = [before?.env ?? null, after?.env ?? null];
  if (oldEnv !== newEnv) {
    // Merged by Tx into one sum per environment, so a batch of 300 jobs costs one write.
    if (oldEnv !== null) tx.add(keys.envRefs(oldEnv), -1);
    if (newEnv !== null) tx.add(keys.envRefs(newEnv), 1);
  }
  (options.metrics ?? counterKeys).record(tx, { before, after });
  // A job others wait on leaves its outcome for the propagation (see store/propagate.ts); the
  // finish commit itself stays one record plus one marker.
  if (after?.dependents && before?.state !== after.state && FINAL_STATES.includes(after.state)) {
    tx.set(keys.depDone(id), after.state);
  }
  // The finish hook's outbox entry commits with the final state, so the hook cannot be lost
  // between the two (see `hook_outbox.ts`); the entry holds the job as it ended.
  if (
    options.hooks && after && before?.state !== after.state && FINAL_STATES.includes(after.state)
  ) {
    tx.set(keys.hook(after.seq, id), newHookEntry(after));
  }
  // Every path to a final state (finish, recover, cancel, delete, propagation) comes here. The
  // holder is not final, so no enqueue took the entry over: it names this job.
  if (holdsUniqueKey(before) && !holdsUniqueKey(after) && before!.unique_until === undefined) {
    tx.delete(keys.unique(before!.unique_key!));
  }
  if (after) tx.set(keys.job(id), after);
  else tx.delete(keys.job(id));
}

/**
 * A job requeued from a final state (`retry`, `dlq retry`) does not re-acquire its unique key:
 * another job may hold it by now, so the record drops it.
 */
function requeuedWithoutKey(before: Job | null, after: Job | null): Job | null {
  if (!before || !after || after.unique_key === undefined) return after;
  if (!FINAL_STATES.includes(before.state) || FINAL_STATES.includes(after.state)) return after;
  const { unique_key: _key, unique_until: _until, ...rest } = after;
  return rest;
}

/** Whether two index keys are equal; their parts are strings and numbers. */
function sameKey(a: Deno.KvKey, b: Deno.KvKey): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
