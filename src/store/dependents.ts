/**
 * Storing a job that runs after others (`--after`): its reverse edges, the count of what it
 * waits on, and its dependencies' records checked, within the remote limits (10 checks per
 * atomic operation), for one dependency or a thousand.
 *
 * @module
 */
import { FINAL_STATES, type Job } from "../job.ts";
import { dependencyCanceled, runnable } from "../dependency.ts";
import { ConflictError, NotFoundError } from "../errors.ts";
import { REMOTE_LIMITS, Tx } from "./db.ts";
import { keys } from "./keys.ts";
import { applyTransition } from "./transition.ts";
import type { Store } from "./open.ts";

/** Dependencies checked per atomic operation: the limit, less one check for the job itself. */
const PER_OP = REMOTE_LIMITS.checks - 1;

/**
 * Throws NotFoundError (`job "X" not found`) unless every id names a stored job; reads a
 * thousand at a time. Called before anything is written, so an unknown dependency stores
 * nothing.
 *
 * @example
 * ```ts
 * import type { Store } from "./open.ts";
 * declare const store: Store;
 * await assertJobsExist(store, new Set(["a1", "b2"]));
 * ```
 */
export async function assertJobsExist(store: Store, ids: Iterable<string>): Promise<void> {
  let part: Deno.KvKey[] = [];
  const check = async () => {
    const found = await store.db.getMany(part);
    part = [];
    const gone = found.find((e) => e.value === null);
    if (gone) throw new NotFoundError(`job "${String(gone.key[1])}" not found`);
  };
  for (const id of ids) {
    part.push(keys.job(id));
    if (part.length === REMOTE_LIMITS.getMany) await check();
  }
  if (part.length > 0) await check();
}

/**
 * Stores `job` (a new record from `newJob`, `blocked` or `held`, `blocked_on` counting all of
 * `after`), nine dependencies per atomic operation. Each operation checks the records of the
 * dependencies it handles: one already completed counts down at once; one dead or canceled
 * cancels the job at once (`dependency X ended dead`); any other gets a `["dep", X, id]` edge
 * and `dependents` on its record, so its final state will be propagated. The first operation
 * stores the job (checked absent); the next ones check the job's own record, and stop when it no
 * longer waits. Returns the job as last written.
 *
 * @throws {NotFoundError} when a dependency is missing before anything was written.
 * @throws {ConflictError} when the job's id is taken.
 *
 * @example
 * ```ts
 * import { newJob } from "./new_job.ts";
 * import type { Store } from "./open.ts";
 * declare const store: Store;
 * const now = Date.now();
 * const spec = { command: "make", priority: 0, timeout: null, after: ["a1"] };
 * const job = await storeDependent(store, newJob(spec, { now, maxRetries: 3 }), { now });
 * ```
 */
export async function storeDependent(
  store: Store,
  job: Job,
  options: { now: number },
): Promise<Job> {
  const { now } = options;
  const after = job.after ?? [];
  let current: Job | null = null;
  let stamp: string | null = null;
  for (let i = 0; i < after.length || current === null;) {
    const chunk = after.slice(i, i + PER_OP);
    const read = await store.db.getMany<Job>([keys.job(job.id), ...chunk.map(keys.job)]);
    const own = read[0]!;
    if (current !== null && own.versionstamp !== stamp) {
      // Changed since: a propagation counted down, or the job was canceled or released.
      if (!own.value || !waits(own.value)) return own.value ?? current;
      current = own.value;
      stamp = own.versionstamp;
    }
    if (current === null && own.value !== null) {
      throw new ConflictError(`job "${job.id}" already exists`);
    }
    const before = current;
    let next: Job = before ?? job;
    const tx = new Tx().check(own.key, own.versionstamp);
    for (const [k, entry] of read.slice(1).entries()) {
      const parent = entry.value;
      const id = chunk[k]!;
      if (!parent) {
        if (before === null) throw new NotFoundError(`job "${id}" not found`);
        next = dependencyCanceled(next, { parent: id, outcome: "missing", now });
        break;
      }
      if (parent.state === "completed") {
        next = { ...next, blocked_on: (next.blocked_on ?? 1) - 1 };
      } else if (FINAL_STATES.includes(parent.state)) {
        next = dependencyCanceled(next, { parent: id, outcome: parent.state, now });
        break;
      } else {
        tx.check(entry.key, entry.versionstamp).set(keys.dep(id, job.id), true);
        if (!parent.dependents) applyTransition(tx, parent, { ...parent, dependents: true });
      }
    }
    next = settled(next, now);
    applyTransition(tx, before, next);
    const written = await store.db.commit(tx);
    if (written === null) continue; // A dependency or the job changed: read this chunk again.
    current = next;
    stamp = written;
    if (!waits(next)) return next;
    i += PER_OP;
  }
  return current;
}

/** Whether the job still waits on dependencies (blocked, or held with some left). */
function waits(job: Job): boolean {
  return job.state === "blocked" || (job.state === "held" && (job.blocked_on ?? 0) > 0);
}

/** The job once nothing is left to wait on: blocked becomes runnable, held drops its count. */
function settled(job: Job, now: number): Job {
  if (job.state === "canceled" || (job.blocked_on ?? 0) > 0) return job;
  const { blocked_on: _, ...rest } = job;
  return job.state === "blocked" ? runnable(job, now) : rest;
}
