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
 * Most dependencies of a job that {@linkcode storeFewDependents} takes: with its own id's check,
 * one job always fits in an operation.
 *
 * @example
 * ```ts
 * FEW_DEPENDENCIES; // 8
 * ```
 */
export const FEW_DEPENDENCIES = REMOTE_LIMITS.checks - 2;

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

/** Options of {@linkcode storeDependent} and {@linkcode storeFewDependents}. */
export interface DependentOptions {
  /** The clock reading the jobs are stored at. */
  now: number;
  /**
   * Adds what must be written with a new job in the operation that first stores it (its
   * environment). Called once per job and operation that stores it. Default: nothing.
   */
  prepare?: (tx: Tx, job: Job) => void;
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
  options: DependentOptions,
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
    const deps = chunk.map((id, k) => ({ id, entry: read[k + 1]! }));
    const tx = new Tx().check(own.key, own.versionstamp);
    if (before === null) options.prepare?.(tx, job);
    let next = addDependencies(tx, before ?? job, deps, { now, stored: before !== null });
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

/**
 * Stores new jobs that each run after at most eight others (the fan-out case: many jobs after
 * the same few), as many per atomic operation as their distinct dependencies' checks allow:
 * 1,000 jobs after one take a handful of operations, not 1,000. Each job is decided as
 * {@linkcode storeDependent} decides it. Returns the jobs as written.
 *
 * @example
 * ```ts
 * import { newJob } from "./new_job.ts";
 * import type { Store } from "./open.ts";
 * declare const store: Store;
 * const now = Date.now();
 * const specs = [1, 2].map((n) => ({ command: `echo ${n}`, priority: 0, timeout: null, after: ["a1"] }));
 * const jobs = await storeFewDependents(store, specs.map((s) => newJob(s, { now, maxRetries: 3 })), { now });
 * ```
 */
export async function storeFewDependents(
  store: Store,
  jobs: readonly Job[],
  options: DependentOptions & { explicit?: ReadonlySet<string> },
): Promise<Job[]> {
  const out: Job[] = [];
  let rest = jobs;
  let parents = new Map<string, Deno.KvEntryMaybe<Job>>();
  while (rest.length > 0) {
    const ids = [...new Set(rest.slice(0, 200).flatMap((j) => j.after ?? []))];
    const missing = ids.filter((id) => !parents.has(id));
    const read = await store.db.getMany<Job>(missing.map(keys.job));
    for (const [k, id] of missing.entries()) parents.set(id, read[k]!);
    const tx = new Tx();
    const marked = new Map<string, Job>();
    const written: Job[] = [];
    for (const job of rest.slice(0, 200)) {
      const fresh = (job.after ?? []).filter((id) => !tx.checks.some((c) => c.key[1] === id));
      const own = options.explicit?.has(job.id) ? 1 : 0;
      if (tx.checks.length + fresh.length + own > REMOTE_LIMITS.checks) break;
      if (tx.mutations.length > REMOTE_LIMITS.mutations - 40) break;
      if (own) tx.check(keys.job(job.id), null);
      options.prepare?.(tx, job);
      const deps = (job.after ?? []).map((id) => ({ id, entry: parents.get(id)! }));
      const next = settled(
        addDependencies(tx, job, deps, { now: options.now, stored: false, marked }),
        options.now,
      );
      applyTransition(tx, null, next);
      written.push(next);
    }
    const stamp = await store.db.commit(tx);
    if (stamp === null) {
      if (anyExplicit(options.explicit, written)) await assertFree(store, written);
      parents = new Map(); // A dependency changed: read them again.
      continue;
    }
    for (const [id, job] of marked) {
      // Only a record that gained `dependents` was written, and so has the new versionstamp.
      if (parents.get(id)?.value?.dependents) continue;
      parents.set(id, { key: keys.job(id), value: job, versionstamp: stamp });
    }
    out.push(...written);
    rest = rest.slice(written.length);
  }
  return out;
}

/** Whether any of `jobs` has a caller-chosen id. */
function anyExplicit(explicit: ReadonlySet<string> | undefined, jobs: Job[]): boolean {
  return explicit !== undefined && jobs.some((j) => explicit.has(j.id));
}

/** Throws ConflictError when one of `jobs`' ids was taken meanwhile. */
async function assertFree(store: Store, jobs: Job[]): Promise<void> {
  const found = await store.db.getMany(jobs.map((j) => keys.job(j.id)));
  const taken = found.find((e) => e.value !== null);
  if (taken) throw new ConflictError(`job "${String(taken.key[1])}" already exists`);
}

/**
 * Adds to `tx` what `deps` (read with their versionstamps) make of `job`: a completed one counts
 * down, a dead or canceled one (or, once the job is `stored`, a missing one) cancels it, any
 * other gets a checked edge and `dependents` on its record. Returns the job as it becomes.
 */
function addDependencies(
  tx: Tx,
  job: Job,
  deps: { id: string; entry: Deno.KvEntryMaybe<Job> }[],
  options: { now: number; stored: boolean; marked?: Map<string, Job> },
): Job {
  const { now } = options;
  const marked = options.marked ?? new Map<string, Job>();
  let next = job;
  for (const { id, entry } of deps) {
    const parent = marked.get(id) ?? entry.value;
    if (!parent) {
      if (!options.stored) throw new NotFoundError(`job "${id}" not found`);
      return dependencyCanceled(next, { parent: id, outcome: "missing", now });
    }
    if (parent.state === "completed") {
      next = { ...next, blocked_on: (next.blocked_on ?? 1) - 1 };
    } else if (FINAL_STATES.includes(parent.state)) {
      return dependencyCanceled(next, { parent: id, outcome: parent.state, now });
    } else {
      tx.set(keys.dep(id, job.id), true);
      if (marked.has(id)) continue; // Checked and marked by an earlier job of this operation.
      tx.check(entry.key, entry.versionstamp);
      const withDependents: Job = { ...parent, dependents: true };
      if (!parent.dependents) applyTransition(tx, parent, withDependents);
      marked.set(id, withDependents);
    }
  }
  return next;
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
