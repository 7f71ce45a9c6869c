/**
 * Storing new jobs, one or many, in as few atomic operations as the limits allow: the entry
 * points and their checks of the input; the batching itself is `enqueue_pipeline.ts`.
 *
 * @module
 */
import type { Job } from "../job.ts";
import type { JobSpec } from "../spec.ts";
import { UsageError } from "../errors.ts";
import { type EnqueueOptions, storeJobs } from "./enqueue_pipeline.ts";
import type { Store } from "./open.ts";

export { newJob } from "./new_job.ts";

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
   * Told each spec with a unique key that stored nothing, and the job that holds the key. Such a
   * spec is not counted as stored.
   */
  onExisting?: (holder: Job, key: string) => void;
  /** Told each job as it goes into a batch (`enqueue --file --wait` keeps the ids). */
  onJob?: (job: Job) => void;
  /**
   * Hears the ids of each committed batch, in the order the commits end (`enqueue --file
   * --json`). Only the batches in flight are held, however many jobs there are.
   */
  onIds?: (ids: readonly string[]) => void;
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
    return await storeJobs(store, [specs], {
      ...options,
      callerIds: idsOf(specs),
      afterIds: afterIdsOf(specs),
    }, options.onJob);
  }
  return await storeJobs(store, specs, {
    ...options,
    callerIds: options.callerIds ?? new Set(),
    afterIds: options.afterIds ?? new Set(),
  }, options.onJob);
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
