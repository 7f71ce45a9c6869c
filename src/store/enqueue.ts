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
import {
  assertJobsExist,
  FEW_DEPENDENCIES,
  storeDependent,
  storeFewDependents,
} from "./dependents.ts";
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

/** Options of {@linkcode enqueueMany}. */
export interface EnqueueManyOptions extends EnqueueOptions {
  /**
   * Every caller-chosen id among the specs, when they come as a stream: they are checked to be
   * free before anything is written. Default: the ids of an array of specs, or none. A spec
   * whose id is not listed is refused (TypeError), as its check would come after earlier
   * batches were stored.
   */
  callerIds?: ReadonlySet<string>;
  /**
   * Every dependency id (`after`) among the specs that is not the id of an earlier spec, when
   * they come as a stream: they are checked to exist before anything is written. Default: those
   * of an array of specs.
   */
  afterIds?: ReadonlySet<string>;
}

/**
 * Stores new jobs. Jobs with generated ids need no existence check, so hundreds share one atomic
 * operation; a caller-chosen id is checked to be new, at most 10 per operation (the remote
 * limit). Caller-chosen ids are checked before anything is written, so a duplicate id fails the
 * whole call with nothing stored (short of a race with another enqueuer of the same id).
 *
 * @example
 * ```ts
 * import type { JobSpec } from "../spec.ts";
 * import type { Store } from "./open.ts";
 * declare const store: Store;
 * const spec: JobSpec = { command: "echo hi", priority: 0, timeout: null };
 * const [job] = await enqueueJobs(store, [spec], { now: Date.now(), maxRetries: 3 });
 * ```
 */
export async function enqueueJobs(
  store: Store,
  specs: readonly JobSpec[],
  options: EnqueueOptions,
): Promise<Job[]> {
  const jobs: Job[] = [];
  await storeJobs(
    store,
    [specs],
    { ...options, callerIds: idsOf(specs), afterIds: afterIdsOf(specs) },
    (job) => jobs.push(job),
  );
  return jobs;
}

/**
 * Stores new jobs as {@linkcode enqueueJobs} does and returns how many, without keeping their
 * records: a bulk enqueue builds each record just before its batch, so the first commit starts
 * at once and committed records are garbage at once. `specs` is an array, or a stream of groups
 * of specs (`enqueue --file` reads them back from its spool), whose caller-chosen ids are then
 * given as `options.callerIds`; memory then holds one group and the batches in flight.
 *
 * @example
 * ```ts
 * import type { JobSpec } from "../spec.ts";
 * import type { Store } from "./open.ts";
 * declare const store: Store;
 * const specs: JobSpec[] = [
 *   { command: "echo one", priority: 0, timeout: null },
 *   { command: "echo two", priority: 5, timeout: 60_000 },
 * ];
 * const n = await enqueueMany(store, specs, { now: Date.now(), maxRetries: 3 });
 * ```
 */
export async function enqueueMany(
  store: Store,
  specs: readonly JobSpec[] | AsyncIterable<readonly JobSpec[]>,
  options: EnqueueManyOptions,
): Promise<number> {
  if (isArray(specs)) {
    await storeJobs(store, [specs], {
      ...options,
      callerIds: idsOf(specs),
      afterIds: afterIdsOf(specs),
    });
    return specs.length;
  }
  return await storeJobs(store, specs, {
    ...options,
    callerIds: options.callerIds ?? new Set(),
    afterIds: options.afterIds ?? new Set(),
  });
}

/**
 * The dependency ids of `specs` that no earlier spec stores: a spec may run after one stored
 * before it in the same call, and after jobs already stored.
 *
 * @example
 * ```ts
 * afterIdsOf([{ id: "a", command: "x", priority: 0, timeout: null },
 *   { command: "y", priority: 0, timeout: null, after: ["a", "old"] }]); // Set {"old"}
 * ```
 */
export function afterIdsOf(specs: readonly JobSpec[]): Set<string> {
  const earlier = new Set<string>();
  const out = new Set<string>();
  for (const spec of specs) {
    for (const id of spec.after ?? []) if (!earlier.has(id)) out.add(id);
    if (spec.id !== undefined) earlier.add(spec.id);
  }
  return out;
}

function isArray(specs: unknown): specs is readonly JobSpec[] {
  return Array.isArray(specs);
}

/** The caller-chosen ids of `specs`; a repeated one is refused, as one job would replace another. */
function idsOf(specs: readonly JobSpec[]): Set<string> {
  const ids = new Set<string>();
  for (const { id } of specs) {
    if (id === undefined) continue;
    if (ids.has(id)) throw new UsageError(`duplicate job id "${id}" in the input`);
    ids.add(id);
  }
  return ids;
}

/** Stores every spec of every group; returns how many. */
async function storeJobs(
  store: Store,
  groups: Iterable<readonly JobSpec[]> | AsyncIterable<readonly JobSpec[]>,
  options: EnqueueOptions & { callerIds: ReadonlySet<string>; afterIds: ReadonlySet<string> },
  onJob?: (job: Job) => void,
): Promise<number> {
  await assertIdsFree(store, options.callerIds);
  await assertJobsExist(store, options.afterIds);
  const pipe = new CommitPipeline(store.db, options.onProgress);
  let tx = new Tx();
  let batch = 0;
  const flush = async () => {
    if (tx.empty) return;
    await pipe.push(tx, batch);
    tx = new Tx();
    batch = 0;
  };
  let count = 0;
  // Jobs after a few others, stored together (a fan-out), once what came before is stored.
  let few: Job[] = [];
  const fewIds = new Set<string>();
  const flushFew = async () => {
    if (few.length === 0) return;
    const explicit = options.callerIds;
    for (const job of await storeFewDependents(store, few, { ...options, explicit })) onJob?.(job);
    few = [];
    fewIds.clear();
  };
  for await (const specs of groups) {
    for (const spec of specs) {
      const explicit = spec.id !== undefined;
      if (explicit && !options.callerIds.has(spec.id!)) {
        throw new TypeError(`job id "${spec.id}" is not among the callerIds given to enqueueMany`);
      }
      if (spec.after) {
        // Its dependencies' records are read and checked: what came before it is stored first.
        await flush();
        await pipe.finish();
        if (few.length === 200 || spec.after.some((id) => fewIds.has(id))) await flushFew();
        const job = newJob(spec, options);
        count++;
        if (spec.after.length <= FEW_DEPENDENCIES) {
          few.push(job);
          fewIds.add(job.id);
          continue;
        }
        await flushFew();
        // Stored first: `onJob?.(await …)` would skip the store when there is no onJob.
        const stored = await storeDependent(store, job, options);
        onJob?.(stored);
        continue;
      }
      if (few.length > 0) await flushFew(); // Not an await per job of a plain bulk enqueue (B2).
      const full = tx.mutations.length + 8 > REMOTE_LIMITS.mutations ||
        tx.bytes + spec.command.length * 3 + 1024 > REMOTE_LIMITS.bytes ||
        (explicit && tx.checks.length === REMOTE_LIMITS.checks);
      if (full) await flush();
      const job = newJob(spec, options);
      if (explicit) tx.check(keys.job(job.id), null);
      applyTransition(tx, null, job);
      batch++;
      count++;
      onJob?.(job);
    }
  }
  await flush();
  await pipe.finish();
  await flushFew();
  if (count > 0) await store.doorbell.ring();
  return count;
}

/** Reads the ids' records a thousand at a time, so no list of every key is built at once. */
async function assertIdsFree(store: Store, ids: ReadonlySet<string>): Promise<void> {
  let part: Deno.KvKey[] = [];
  const check = async () => {
    const found = await store.db.getMany(part);
    part = [];
    const taken = found.find((e) => e.value !== null);
    if (taken) throw new ConflictError(`job "${String(taken.key[1])}" already exists`);
  };
  for (const id of ids) {
    part.push(keys.job(id));
    if (part.length === 1000) await check();
  }
  if (part.length > 0) await check();
}
