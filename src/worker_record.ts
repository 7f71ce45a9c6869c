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
  /** The job it runs, if busy. */
  job: string | null;
  /** Process group of the running job, so a recoverer on the same host can kill orphans. */
  job_pgid: number | null;
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
