/**
 * One job a worker runs, as its registry entry lists it.
 *
 * @example
 * ```ts
 * const running: RunningJob = { id: "build", pgid: 4321 };
 * ```
 */
export interface RunningJob {
  /** The job id. */
  id: string;
  /** Its process group, once spawned and published; null before. */
  pgid: number | null;
}

/**
 * The jobs a worker's record says it runs, from `jobs`, or from `job`/`job_pgid` in a record
 * written by an older worker (pure).
 *
 * @example
 * ```ts
 * runningJobs({ job: "a", job_pgid: 7 }); // [{ id: "a", pgid: 7 }]
 * ```
 */
export function runningJobs(
  record: Pick<WorkerRecord, "job" | "job_pgid" | "jobs">,
): RunningJob[] {
  if (record.jobs) return record.jobs;
  return record.job === null ? [] : [{ id: record.job, pgid: record.job_pgid }];
}

/**
 * A worker's registry entry: who is running, where, on what, and when it last proved it was
 * alive. The store keeps it and the JSON view prints it, so the type lives below both.
 *
 * @module
 */

/**
 * What a worker is doing.
 *
 * @example
 * ```ts
 * const state: WorkerState = "busy";
 * ```
 */
export type WorkerState = "idle" | "busy" | "stopping";

/**
 * A worker's registry entry under `["worker", id]`. Times are epoch ms.
 *
 * @example
 * ```ts
 * const record: WorkerRecord = {
 *   id: "host:42:ab",
 *   pid: 42,
 *   host: "host",
 *   state: "idle",
 *   job: null,
 *   job_pgid: null,
 *   jobs: [],
 *   slots: 1,
 *   started_at: Date.now(),
 *   heartbeat_at: Date.now(),
 *   processed: 0,
 *   supervisor: null,
 * };
 * ```
 */
export interface WorkerRecord {
  /** Unique worker id; it includes the host name. */
  id: string;
  /** Process id on `host`. */
  pid: number;
  /** Host name the worker runs on. */
  host: string;
  /** What it is doing. */
  state: WorkerState;
  /** The first of the jobs it runs (see `jobs`), kept for readers of one job per worker. */
  job: string | null;
  /** Process group of `job`. */
  job_pgid: number | null;
  /**
   * Every job it runs, one per busy slot, with its process group once spawned, so a recoverer
   * on the same host can kill each job's orphans. Absent in records of older workers.
   */
  jobs?: RunningJob[];
  /** How many jobs it runs at once (absent in records of older workers: 1). */
  slots?: number;
  /** When it started. */
  started_at: number;
  /** When it last beat. */
  heartbeat_at: number;
  /** Jobs it has finished. */
  processed: number;
  /** Pid of the supervisor that started it (same host), which `worker stop` signals. */
  supervisor: number | null;
  /**
   * The KV server's clock minus this host's, in ms, as measured at start-up on a remote KV
   * (absent locally and until measured). Comparing workers' offsets gives the skew between
   * their hosts, which eats into the lease.
   */
  clock_offset_ms?: number | null;
}
