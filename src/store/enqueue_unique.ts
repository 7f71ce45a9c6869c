/**
 * Storing one job with a unique key: the job and its `["unique", K]` entry in one atomic op
 * that checks the entry it read, so two enqueuers of one key on any hosts store one job.
 *
 * @module
 */
import type { Job } from "../job.ts";
import type { JobSpec } from "../spec.ts";
import { ConflictError, UsageError } from "../errors.ts";
import { Tx } from "./db.ts";
import { keys } from "./keys.ts";
import { ensureQueues } from "./queue_registry.ts";
import { newJob } from "./new_job.ts";
import { addEnvBlob, envBlob } from "./env_blob.ts";
import { applyTransition } from "./transition.ts";
import { type UniqueEntry, uniqueHeld } from "../unique.ts";
import type { EnvVars } from "../env_vars.ts";
import type { Store } from "./open.ts";

/** What {@linkcode enqueueUnique} did: stored `job`, or found it holding the key. */
export interface UniqueOutcome {
  /** The job stored, or the one that already holds the key. */
  job: Job;
  /** True when nothing was stored because `job` holds the key. */
  existing: boolean;
}

/** Options of {@linkcode enqueueUnique}. */
export interface UniqueOptions {
  /** The clock reading to stamp the job with and judge the holder by. */
  now: number;
  /** `max_retries` for a spec that names none. */
  maxRetries: number;
  /** The folder for a spec that names none. Default null: the worker's own. */
  cwd?: string | null;
  /** The call's variables; the spec's own `env` is laid over them. Default: none. */
  env?: EnvVars;
}

/** Attempts before giving up on a key that other enqueuers keep changing. */
const MAX_ROUNDS = 50;

/**
 * Stores the job of `spec` (which has `unique_key`) unless another job holds the key at
 * `options.now`; then nothing is stored and that job is returned. A holder that is final past
 * its window (or gone, without one) is taken over, checked.
 *
 * @example
 * ```ts
 * import type { Store } from "./open.ts";
 * declare const store: Store;
 * const spec = { command: "true", priority: 0, timeout: null, unique_key: "nightly" };
 * const { job, existing } = await enqueueUnique(store, spec, { now: Date.now(), maxRetries: 3 });
 * ```
 */
export async function enqueueUnique(
  store: Store,
  spec: JobSpec,
  options: UniqueOptions,
): Promise<UniqueOutcome> {
  if (spec.unique_key === undefined) throw new TypeError("enqueueUnique needs a unique_key");
  if (spec.after) throw new UsageError("a unique job cannot have after (not supported yet)");
  const { now, maxRetries } = options;
  const uniqueKey = keys.unique(spec.unique_key);
  const vars = { ...options.env, ...spec.env };
  const blob = Object.keys(vars).length === 0 ? null : await envBlob(vars);
  let queueMade = spec.queue === undefined;
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const [entry, own] = await store.db.getMany<unknown>([
      uniqueKey,
      keys.job(spec.id ?? "\0none"),
    ]);
    if (spec.id !== undefined && own!.value !== null) {
      throw new ConflictError(`job "${spec.id}" already exists`);
    }
    const held = entry!.value as UniqueEntry | null;
    if (held !== null) {
      const holder = (await store.db.get<Job>(keys.job(held.id))).value;
      if (uniqueHeld(held, holder, now)) {
        if (holder !== null) return { job: holder, existing: true };
        throw new ConflictError(
          `unique key "${spec.unique_key}" is held until ${new Date(held.until!).toISOString()} ` +
            `by job ${held.id}, which was deleted`,
        );
      }
    }
    // Only once the job is to be stored: a held key leaves no empty queue behind.
    if (!queueMade) {
      await ensureQueues(store, [spec.queue!], now);
      queueMade = true;
    }
    const job = newJob(spec, { now, maxRetries, cwd: options.cwd, env: blob?.id ?? null });
    const tx = new Tx().check(uniqueKey, entry!.versionstamp);
    if (spec.id !== undefined) tx.check(keys.job(job.id), null);
    if (blob !== null) addEnvBlob(tx, blob);
    applyTransition(tx, null, job);
    const value: UniqueEntry = { id: job.id, until: job.unique_until ?? null };
    tx.set(uniqueKey, value);
    if (await store.db.commit(tx) !== null) {
      await store.doorbell.ring();
      return { job, existing: false };
    }
  }
  throw new ConflictError(`unique key "${spec.unique_key}" kept changing; try again`);
}
