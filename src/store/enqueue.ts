/**
 * Storing new jobs, one or many, in as few atomic operations as the limits allow.
 *
 * @module
 */
import type { Job } from "../job.ts";
import type { JobSpec } from "../spec.ts";
import { ConflictError, UsageError } from "../errors.ts";
import { CommitPipeline } from "./commit_pipeline.ts";
import { REMOTE_LIMITS, Tx } from "./db.ts";
import { keys } from "./keys.ts";
import { newJob } from "./new_job.ts";
import { applyTransition } from "./transition.ts";
import type { Store } from "./open.ts";

export { newJob } from "./new_job.ts";

/** Options of {@linkcode enqueueJobs}. */
export interface EnqueueOptions {
  /** The clock reading to stamp the jobs with. */
  now: number;
  /** `max_retries` for specs that do not name one (the configured default). */
  maxRetries: number;
  /** Called after each committed batch with the number of jobs stored so far. */
  onProgress?: (stored: number) => void;
}

/**
 * Stores new jobs. Jobs with generated ids need no existence check, so hundreds share one atomic
 * operation; a caller-chosen id is checked to be new, at most 10 per operation (the remote
 * limit). Caller-chosen ids are checked before anything is written, so a duplicate id fails the
 * whole call with nothing stored (short of a race with another enqueuer of the same id).
 *
 * @example
 * ```ts
 * const [job] = await enqueueJobs(store, [spec], { now: Date.now(), maxRetries: 3 });
 * ```
 */
export async function enqueueJobs(
  store: Store,
  specs: readonly JobSpec[],
  options: EnqueueOptions,
): Promise<Job[]> {
  const jobs: Job[] = [];
  await storeJobs(store, specs, options, (job) => jobs.push(job));
  return jobs;
}

/**
 * Stores new jobs as {@linkcode enqueueJobs} does and returns how many, without keeping their
 * records: a bulk enqueue builds each record just before its batch, so the first commit starts
 * at once and committed records are garbage at once.
 *
 * @example
 * ```ts
 * const n = await enqueueMany(store, specs, { now: Date.now(), maxRetries: 3 });
 * ```
 */
export async function enqueueMany(
  store: Store,
  specs: readonly JobSpec[],
  options: EnqueueOptions,
): Promise<number> {
  await storeJobs(store, specs, options);
  return specs.length;
}

async function storeJobs(
  store: Store,
  specs: readonly JobSpec[],
  options: EnqueueOptions,
  onJob?: (job: Job) => void,
): Promise<void> {
  const explicitIds = specs.flatMap((s) => (s.id === undefined ? [] : [s.id]));
  if (explicitIds.length > 0) assertNoRepeats(explicitIds);
  await assertIdsFree(store, explicitIds);
  const pipe = new CommitPipeline(store.db, options.onProgress);
  let tx = new Tx();
  let batch = 0;
  const flush = async () => {
    if (tx.empty) return;
    await pipe.push(tx, batch);
    tx = new Tx();
    batch = 0;
  };
  for (const spec of specs) {
    const explicit = spec.id !== undefined;
    const full = tx.mutations.length + 8 > REMOTE_LIMITS.mutations ||
      tx.bytes + spec.command.length * 3 + 1024 > REMOTE_LIMITS.bytes ||
      (explicit && tx.checks.length === REMOTE_LIMITS.checks);
    if (full) await flush();
    const job = newJob(spec, options);
    if (explicit) tx.check(keys.job(job.id), null);
    applyTransition(tx, null, job);
    batch++;
    onJob?.(job);
  }
  await flush();
  await pipe.finish();
  if (specs.length > 0) await store.doorbell.ring();
}

/** Generated ids never repeat (they are monotonic); a caller's id may repeat any other. */
function assertNoRepeats(ids: string[]): void {
  const seen = new Set<string>();
  for (const id of ids) {
    if (seen.has(id)) throw new UsageError(`duplicate job id "${id}" in the input`);
    seen.add(id);
  }
}

async function assertIdsFree(store: Store, ids: string[]): Promise<void> {
  const found = await store.db.getMany(ids.map((id) => keys.job(id)));
  const taken = found.find((e) => e.value !== null);
  if (taken) throw new ConflictError(`job "${String(taken.key[1])}" already exists`);
}
