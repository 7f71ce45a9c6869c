/**
 * What a worker process's loop (`worker_loop.ts`) is given: its identity, its stop signals, the
 * queues it serves and how many jobs it runs at once.
 *
 * @module
 */
import type { Logger } from "../log.ts";

/** Options of the worker loop (`Worker` in `worker_loop.ts`). */
export interface WorkerOptions {
  /** Unique id; by convention `host:pid:n`. */
  id: string;
  /** This host's name (recorded, and used to judge same-host recovery). */
  host: string;
  /** Aborting stops claiming; the running jobs get `shutdown_grace_ms` to finish. */
  signal: AbortSignal;
  /** Aborting kills the running jobs and puts them back as pending without charging an attempt. */
  force?: AbortSignal;
  /** Logger; by default one on stderr. */
  log?: Logger;
  /**
   * Called when a stop is asked from afar (`worker stop` on another host, or the supervisor
   * vanished): the owner aborts `signal` or `force`, exactly as a local signal would.
   */
  onStopRequest?: (force: boolean) => void;
  /** The queues served, in order of preference (`--queues`); absent: every queue. */
  queues?: readonly string[];
  /** How many jobs it runs at once. Default 1. */
  slots?: number;
  /** The supervisor that started this process, whose end stops it (see `heartbeat.ts`). */
  supervisorPid?: number;
}
