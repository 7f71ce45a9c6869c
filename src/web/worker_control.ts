/**
 * What the dashboard needs to start and stop workers, handed to it by `queuectl web
 * --allow-worker-control` (the web layer sits beside the worker layer and cannot import it).
 *
 * @module
 */

/** What a start did: the detached supervisor and its log, as `worker start --json` prints. */
export interface StartedWorkers {
  /** The supervisor's pid. */
  pid: number;
  /** Slots started. */
  count: number;
  /** Worker processes they run in. */
  processes: number;
  /** The supervisor's log file. */
  log: string;
}

/**
 * Starting and stopping workers on the server's host; given to the handler by `queuectl web
 * --allow-worker-control`, absent otherwise.
 *
 * @example
 * ```ts
 * const control: WorkerControl = {
 *   start: (count, processes) => Promise.resolve({ pid: 1, count, processes, log: "q.kv.log" }),
 *   stop: (ids) => Promise.resolve(ids.length),
 * };
 * ```
 */
export interface WorkerControl {
  /** Starts `count` slots in `processes` detached worker processes; resolves once registered. */
  start(count: number, processes: number): Promise<StartedWorkers>;
  /** Asks these workers to stop gracefully; resolves to how many were reached. */
  stop(ids: readonly string[]): Promise<number>;
}
