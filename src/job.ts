/**
 * The job record and its lifecycle. This module imports nothing, so every layer can use it.
 *
 * @module
 */

/**
 * Where a job is in its lifecycle. Each state names who moves the job out of it:
 *
 * - `held`: enqueued with `--hold`; it never runs until `release` moves it to `blocked` (while
 *   dependencies are unfinished), `scheduled` or `pending`; `cancel` moves it to `canceled`.
 * - `blocked`: waits for the jobs named by `after`. The propagation that follows the last of them
 *   completing moves it to `pending` (or `scheduled`); one of them ending dead or canceled moves
 *   it to `canceled`, and so does `cancel`.
 * - `scheduled`: waiting for `run_at`. A worker's promoter moves it to `pending` when due;
 *   `cancel` moves it to `canceled`.
 * - `pending`: runnable now (it has a `ready` index entry). A worker's claim moves it to
 *   `processing`; `cancel` moves it to `canceled`.
 * - `processing`: a worker runs it. That worker moves it to `completed`, `failed` or `dead`;
 *   recovery does the same when the worker's lease lapses; a forced stop moves it to `pending`.
 * - `failed`: an attempt failed and a retry waits for `run_at`. The promoter moves it to
 *   `pending`; `cancel` moves it to `canceled`.
 * - `completed`: final. Only `delete`/`purge` remove it.
 * - `dead`: retries spent, in the Dead Letter Queue. `dlq retry` moves it to `pending`.
 * - `canceled`: final. `dlq retry`-style requeue is not offered; `delete`/`purge` remove it.
 */
export type JobState =
  | "held"
  | "blocked"
  | "scheduled"
  | "pending"
  | "processing"
  | "failed"
  | "completed"
  | "dead"
  | "canceled";

/** Every job state, in lifecycle order (the order `status` prints them). */
export const JOB_STATES: readonly JobState[] = [
  "held",
  "blocked",
  "scheduled",
  "pending",
  "processing",
  "failed",
  "completed",
  "dead",
  "canceled",
];

/** States a job never leaves on its own. */
export const FINAL_STATES: readonly JobState[] = ["completed", "dead", "canceled"];

/** A job as stored under `["job", id]`. Times are epoch milliseconds. */
export interface Job {
  /** 1–128 characters of `[A-Za-z0-9._:-]`. */
  id: string;
  /** Shell command, run as `sh -c command`. */
  command: string;
  /** Current lifecycle state. */
  state: JobState;
  /** Attempts started in the current cycle (a claim increments it; `dlq retry` resets it). */
  attempts: number;
  /** Attempts started over the job's whole life: the number of its latest `attempt` record. */
  runs: number;
  /** Retries allowed after the first attempt: the job runs at most `1 + max_retries` times. */
  max_retries: number;
  /** -1000..1000, higher runs first. */
  priority: number;
  /** When the job may run (ms); for a `failed` job, when its retry is due. */
  run_at: number;
  /** Per-attempt time limit in ms, or null for the configured default. */
  timeout: number | null;
  /** Monotonic sort key of the job's current index entries (`ready`, `state`). */
  seq: string;
  /** When the job was enqueued. */
  created_at: number;
  /** When the record last changed. */
  updated_at: number;
  /** When the latest attempt started. */
  started_at: number | null;
  /** When the latest attempt ended. */
  finished_at: number | null;
  /** Exit code of the latest finished attempt. */
  exit_code: number | null;
  /** Why the latest attempt failed, if it did. */
  last_error: string | null;
  /** Worker that runs (or last ran) the job. */
  worker: string | null;
  /**
   * The named queue the job belongs to (`--queue`); absent means `default` (see `queue.ts`'s
   * `queueOf`), so a plain job's record keeps its size. Never changes.
   */
  queue?: string;
  /** `key=value` labels given at enqueue; never change. Absent when none. */
  labels?: Record<string, string>;
  /** Set by `cancel` on a running job; its worker kills the attempt and records `canceled`. */
  cancel_requested: boolean;
  /**
   * Absolute folder the command runs in: the `enqueue` call's (or `--cwd`). Null (a job from
   * the web API, which has no meaningful folder) runs in the worker's own.
   */
  cwd: string | null;
  /**
   * Id of the job's stored environment (`["env", id, chunk]`, shared by every job with equal
   * variables), or null for none. The values are secrets and never in the record itself.
   */
  env: string | null;
  /** The jobs this one runs after (`--after`), as enqueued. Absent when none. */
  after?: string[];
  /**
   * How many of `after` have not completed yet, counted down by the propagation; absent at 0.
   * A `blocked` job has it; a `held` one may.
   */
  blocked_on?: number;
  /** True once another job was enqueued after this one: its final state is then propagated. */
  dependents?: true;
  /**
   * The unique key the job holds (`--unique-key`) while waiting or running; absent when none.
   * A job requeued from a final state (`retry`, `dlq retry`) loses it: it does not re-acquire it.
   */
  unique_key?: string;
  /** End of the unique window (`--unique-for`, from enqueue time) in ms; absent when none. */
  unique_until?: number;
}

/** Why an attempt ended. */
export type AttemptOutcome =
  | "succeeded"
  | "failed"
  | "timed_out"
  | "worker_lost"
  | "interrupted"
  | "canceled";

/** One attempt, stored under `["attempt", id, n]`. */
export interface Attempt {
  /** 1-based attempt number. */
  n: number;
  /** Worker that ran it. */
  worker: string;
  /** Start time (ms). */
  started_at: number;
  /** End time (ms), null while running. */
  finished_at: number | null;
  /** Exit code, null if killed by a signal or never finished. */
  exit_code: number | null;
  /** Signal that ended the process, if any. */
  signal: string | null;
  /** How it ended; null while running. */
  outcome: AttemptOutcome | null;
  /** Human-readable error, if it failed. */
  error: string | null;
  /** Run time in ms. */
  duration_ms: number | null;
  /** Bytes the attempt wrote to stdout and stderr, and whether the stored copy was cut. */
  output: { stdout_bytes: number; stderr_bytes: number; truncated: boolean } | null;
  /**
   * Processes of this attempt that outlived their worker and were killed by the recovery, on
   * the worker's host. Absent when there were none (or the worker ran on another host).
   */
  orphans_killed?: number;
}
