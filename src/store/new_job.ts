/**
 * The record of a new job, built from a validated spec. Its own module so that what builds one
 * record need not load the store: the bench's bare-KV baseline (bench/kv_enqueue.ts) builds its
 * job with it.
 *
 * @module
 */
import type { Job } from "../job.ts";
import type { JobSpec } from "../spec.ts";
import { newId } from "../ids.ts";

/** Options of {@linkcode newJob}. */
export interface NewJobOptions {
  /** The clock reading to stamp the job with. */
  now: number;
  /** `max_retries` for a spec that names none. */
  maxRetries: number;
  /** The folder for a spec that names none. Default null: the worker's own. */
  cwd?: string | null;
  /** The id of the job's stored environment. Default null: none. */
  env?: string | null;
}

/**
 * Builds the record of a new job from a validated spec (pure). A job with `after` starts
 * `blocked`, counting every dependency as unfinished: `store/dependents.ts` stores it and counts
 * down those already completed.
 *
 * @example
 * ```ts
 * newJob({ command: "true", priority: 0, timeout: null }, { now: Date.now(), maxRetries: 3 });
 * ```
 */
export function newJob(spec: JobSpec, options: NewJobOptions): Job {
  const { now } = options;
  const runAt = spec.run_at ?? now;
  const job: Job = {
    id: spec.id ?? newId(now),
    command: spec.command,
    state: spec.hold ? "held" : spec.after ? "blocked" : runAt > now ? "scheduled" : "pending",
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
    cwd: spec.cwd ?? options.cwd ?? null,
    env: options.env ?? null,
  };
  if (spec.queue !== undefined) job.queue = spec.queue;
  if (spec.labels) job.labels = spec.labels;
  // Absent rather than empty: a plain job's record keeps its size (B2's bytes per job).
  if (spec.unique_key !== undefined) job.unique_key = spec.unique_key;
  if (spec.unique_for !== undefined) job.unique_until = now + spec.unique_for;
  if (spec.after) Object.assign(job, { after: spec.after, blocked_on: spec.after.length });
  return job;
}
