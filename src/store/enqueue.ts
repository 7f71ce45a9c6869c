/**
 * Storing new jobs, one or many, in as few atomic operations as the limits allow.
 *
 * @module
 */
import type { Job } from "../job.ts";
import type { JobSpec } from "../spec.ts";
import { newId } from "../ids.ts";
import { ConflictError, UsageError } from "../errors.ts";
import { REMOTE_LIMITS, Tx } from "./db.ts";
import { keys } from "./keys.ts";
import { applyTransition } from "./transition.ts";
import type { Store } from "./open.ts";

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
 * Builds the record of a new job from a validated spec (pure).
 *
 * @example
 * ```ts
 * newJob({ command: "true", priority: 0, timeout: null }, { now: Date.now(), maxRetries: 3 });
 * ```
 */
export function newJob(spec: JobSpec, options: { now: number; maxRetries: number }): Job {
  const { now } = options;
  const runAt = spec.run_at ?? now;
  return {
    id: spec.id ?? newId(now),
    command: spec.command,
    state: runAt > now ? "scheduled" : "pending",
    attempts: 0,
    runs: 0,
    max_retries: spec.max_retries ?? options.maxRetries,
    priority: spec.priority,
    run_at: runAt,
    timeout: spec.timeout,
    seq: newId(now),
    created_at: now,
    updated_at: now,
    started_at: null,
    finished_at: null,
    exit_code: null,
    last_error: null,
    worker: null,
    cancel_requested: false,
  };
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
  const jobs = specs.map((s) => newJob(s, options));
  const explicitIds = specs.flatMap((s) => (s.id === undefined ? [] : [s.id]));
  if (explicitIds.length > 0) assertNoRepeats(jobs);
  await assertIdsFree(store, explicitIds);
  let stored = 0;
  let tx = new Tx();
  // One commit stays in flight while the next batch is built: SQLite writes on its own thread,
  // so building and writing overlap. Commits still go one after another, in order, so a failure
  // knows exactly how many jobs were stored before it.
  let inFlight: Promise<void> = Promise.resolve();
  const send = async (batch: Tx, upTo: number) => {
    if (!await store.db.commit(batch)) {
      throw new ConflictError(
        `enqueue failed: a job id was taken meanwhile (${stored} jobs stored before it)`,
      );
    }
    stored = upTo;
    options.onProgress?.(stored);
  };
  const flush = async (upTo: number) => {
    if (tx.empty) return;
    await inFlight;
    inFlight = send(tx, upTo);
    inFlight.catch(() => {}); // Awaited at the next flush; never an unhandled rejection.
    tx = new Tx();
  };
  for (const [i, job] of jobs.entries()) {
    const explicit = specs[i]?.id !== undefined;
    const full = tx.mutations.length + 8 > REMOTE_LIMITS.mutations ||
      tx.bytes + job.command.length * 3 + 1024 > REMOTE_LIMITS.bytes ||
      (explicit && tx.checks.length === REMOTE_LIMITS.checks);
    if (full) await flush(i);
    if (explicit) tx.check(keys.job(job.id), null);
    applyTransition(tx, null, job);
  }
  await flush(jobs.length);
  await inFlight;
  if (jobs.length > 0) await store.doorbell.ring();
  return jobs;
}

/** Generated ids never repeat (they are monotonic); a caller's id may repeat any other. */
function assertNoRepeats(jobs: Job[]): void {
  const seen = new Set<string>();
  for (const job of jobs) {
    if (seen.has(job.id)) throw new UsageError(`duplicate job id "${job.id}" in the input`);
    seen.add(job.id);
  }
}

async function assertIdsFree(store: Store, ids: string[]): Promise<void> {
  const found = await store.db.getMany(ids.map((id) => keys.job(id)));
  const taken = found.find((e) => e.value !== null);
  if (taken) throw new ConflictError(`job "${String(taken.key[1])}" already exists`);
}
