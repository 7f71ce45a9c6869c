/**
 * The bulk enqueue pipeline: specs become jobs batched into as few atomic operations as the
 * remote limits allow, with commits overlapping (see `commit_pipeline.ts`); a spec with a unique
 * key or dependencies takes its own checked operation once what came before it is stored.
 *
 * @module
 */
import type { Job } from "../job.ts";
import type { JobSpec } from "../spec.ts";
import { ConflictError } from "../errors.ts";
import { CommitPipeline } from "./commit_pipeline.ts";
import { REMOTE_LIMITS, Tx } from "./db.ts";
import { keys } from "./keys.ts";
import { newJob } from "./new_job.ts";
import { addEnvBlob, type EnvBlob, envBlob } from "./env_blob.ts";
import type { EnvVars } from "../env_vars.ts";
import {
  assertJobsExist,
  FEW_DEPENDENCIES,
  storeDependent,
  storeFewDependents,
} from "./dependents.ts";
import { applyTransition } from "./transition.ts";
import { enqueueUnique } from "./enqueue_unique.ts";
import { ensureQueues } from "./queue_registry.ts";
import type { Store } from "./open.ts";

/**
 * Options of {@linkcode storeJobs} and of `enqueueJobs` (`enqueue.ts`).
 *
 * @example
 * ```ts
 * const options: EnqueueOptions = { now: Date.now(), maxRetries: 3, cwd: "/tmp" };
 * ```
 */
export interface EnqueueOptions {
  /** The clock reading to stamp the jobs with. */
  now: number;
  /** `max_retries` for specs that do not name one (the configured default). */
  maxRetries: number;
  /** Called after each committed batch with the number of jobs stored so far. */
  onProgress?: (stored: number) => void;
  /** The folder of specs that name none. Default null: the worker's own. */
  cwd?: string | null;
  /**
   * Variables of every job of the call (`--env`, `--env-all`); a spec's own `env` is laid over
   * them. Stored once per distinct environment, not per job (see `env_blob.ts`).
   */
  env?: EnvVars;
}

/**
 * Stores every spec of every group; returns how many. Caller-chosen ids (`callerIds`) are checked
 * to be free and dependency ids (`afterIds`) to exist before anything is written.
 *
 * @example
 * ```ts
 * import type { JobSpec } from "../spec.ts";
 * import type { Store } from "./open.ts";
 * declare const store: Store;
 * const specs: JobSpec[] = [{ command: "echo hi", priority: 0, timeout: null }];
 * const options = { now: Date.now(), maxRetries: 3, callerIds: new Set<string>(), afterIds: new Set<string>() };
 * const n = await storeJobs(store, [specs], options);
 * ```
 */
export async function storeJobs(
  store: Store,
  groups: Iterable<readonly JobSpec[]> | AsyncIterable<readonly JobSpec[]>,
  options: EnqueueOptions & {
    callerIds: ReadonlySet<string>;
    afterIds: ReadonlySet<string>;
    onIds?: (ids: readonly string[]) => void;
    onExisting?: (holder: Job, key: string) => void;
  },
  onJob?: (job: Job) => void,
): Promise<number> {
  await assertIdsFree(store, options.callerIds);
  await assertJobsExist(store, options.afterIds);
  const callEnv = options.env ?? {};
  const callBlob = Object.keys(callEnv).length === 0 ? null : await envBlob(callEnv);
  const specBlob = specBlobs(callEnv);
  const { now, maxRetries, cwd } = options;
  const { onProgress, onIds, env } = options;
  const pipe = new CommitPipeline(store.db, (stored, ids) => {
    onIds?.(ids);
    onProgress?.(stored);
  });
  let ids: string[] = [];
  let tx = new Tx();
  let batch = 0;
  // The environments this batch writes: each batch writes its own, so none is referenced
  // before it is stored, even if the sweep removed it between two batches.
  let written = new Set<string>();
  const flush = async () => {
    if (tx.empty) return;
    await pipe.push(tx, batch, ids);
    ids = [];
    tx = new Tx();
    batch = 0;
    written = new Set();
  };
  let count = 0;
  // The environment of each job that runs after others, written in the atomic operation that
  // first stores the job, once per operation (as a batch writes its own).
  const blobs = new Map<string, EnvBlob>();
  const inOp = new WeakMap<Tx, Set<string>>();
  const prepare = (op: Tx, job: Job) => {
    const blob = blobs.get(job.id);
    const has = inOp.get(op) ?? new Set<string>();
    inOp.set(op, has);
    if (blob === undefined || has.has(blob.id)) return;
    addEnvBlob(op, blob);
    has.add(blob.id);
  };
  // Jobs after a few others, stored together (a fan-out), once what came before is stored.
  let few: Job[] = [];
  const fewIds = new Set<string>();
  const flushFew = async () => {
    if (few.length === 0) return;
    const explicit = options.callerIds;
    const stored = await storeFewDependents(store, few, { now, explicit, prepare });
    onIds?.(stored.map((job) => job.id));
    for (const job of stored) {
      blobs.delete(job.id);
      onJob?.(job);
    }
    few = [];
    fewIds.clear();
  };
  // Named queues get their settings record before their first job is stored (see
  // `ensureQueues`); `default` needs none, so a plain bulk enqueue pays one field test a spec.
  const queues = new Set<string>();
  for await (const specs of groups) {
    for (const spec of specs) {
      // A unique spec makes its queue only if it stores a job (see enqueueUnique).
      if (spec.queue !== undefined && spec.unique_key === undefined && !queues.has(spec.queue)) {
        await ensureQueues(store, [spec.queue], now);
        queues.add(spec.queue);
      }
      if (spec.unique_key !== undefined) {
        // Its own checked operation, once what came before is stored: a later line of the same
        // key then finds this one holding it.
        await flush();
        await pipe.finish();
        await flushFew();
        const { job, existing } = await enqueueUnique(store, spec, { now, maxRetries, cwd, env });
        if (existing) {
          options.onExisting?.(job, spec.unique_key);
          continue;
        }
        onIds?.([job.id]);
        count++;
        onJob?.(job);
        continue;
      }
      const explicit = spec.id !== undefined;
      if (explicit && !options.callerIds.has(spec.id!)) {
        throw new TypeError(`job id "${spec.id}" is not among the callerIds given to enqueueMany`);
      }
      const blob = spec.env === undefined ? callBlob : await specBlob(spec.env);
      if (spec.after) {
        // Its dependencies' records are read and checked: what came before it is stored first.
        await flush();
        await pipe.finish();
        if (few.length === 200 || spec.after.some((id) => fewIds.has(id))) await flushFew();
        const job = newJob(spec, { now, maxRetries, cwd, env: blob?.id ?? null });
        if (blob !== null) blobs.set(job.id, blob);
        count++;
        if (spec.after.length <= FEW_DEPENDENCIES) {
          few.push(job);
          fewIds.add(job.id);
          continue;
        }
        await flushFew();
        // Stored first: `onJob?.(await …)` would skip the store when there is no onJob.
        const stored = await storeDependent(store, job, { now, prepare });
        blobs.delete(job.id);
        onIds?.([stored.id]);
        onJob?.(stored);
        continue;
      }
      if (few.length > 0) await flushFew(); // Not an await per job of a plain bulk enqueue (B2).
      const labels = spec.labels ? Object.keys(spec.labels).length : 0;
      const blobBytes = blob === null || written.has(blob.id) ? 0 : blob.bytes + 256;
      const full = tx.mutations.length + 13 + labels > REMOTE_LIMITS.mutations ||
        tx.bytes + spec.command.length * 3 + 1024 + labels * 800 + blobBytes >
          REMOTE_LIMITS.bytes ||
        (explicit && tx.checks.length === REMOTE_LIMITS.checks);
      if (full) await flush();
      if (blob !== null && !written.has(blob.id)) {
        addEnvBlob(tx, blob);
        written.add(blob.id);
      }
      const job = newJob(spec, { now, maxRetries, cwd, env: blob?.id ?? null });
      if (explicit) tx.check(keys.job(job.id), null);
      applyTransition(tx, null, job);
      if (onIds) ids.push(job.id);
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

/**
 * The stored form of each spec's own environment laid over the call's, made once per distinct
 * spec environment (the last thousand are remembered).
 */
function specBlobs(base: EnvVars): (env: EnvVars) => Promise<EnvBlob | null> {
  const cache = new Map<string, Promise<EnvBlob | null>>();
  return (env) => {
    const key = JSON.stringify(env);
    let blob = cache.get(key);
    if (blob === undefined) {
      if (cache.size === 1000) cache.clear();
      const all = { ...base, ...env };
      blob = Object.keys(all).length === 0 ? Promise.resolve(null) : envBlob(all);
      cache.set(key, blob);
    }
    return blob;
  };
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
