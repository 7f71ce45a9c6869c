/**
 * The worker registry: who is running, where, on what, and when it last proved it was alive.
 *
 * @module
 */
import { Tx } from "./db.ts";
import { keys } from "./keys.ts";
import type { Store } from "./open.ts";

/** What a worker is doing. */
export type WorkerState = "idle" | "busy" | "stopping";

/** A worker's registry entry under `["worker", id]`. Times are epoch ms. */
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
}

/** A stop request left for a worker under `["control", id]`. */
export interface StopRequest {
  /** Kill the running job now instead of letting it finish. */
  force: boolean;
  /** When it was asked. */
  at: number;
}

/**
 * Writes (or refreshes) a worker's registry entry: registration and heartbeat are the same write.
 *
 * @example
 * ```ts
 * await putWorker(store, { ...record, heartbeat_at: Date.now() });
 * ```
 */
export async function putWorker(store: Store, record: WorkerRecord): Promise<void> {
  await store.db.set(keys.worker(record.id), record);
}

/** Removes a worker's entry and any stop request left for it. */
export async function removeWorker(store: Store, workerId: string): Promise<void> {
  await store.db.commit(new Tx().delete(keys.worker(workerId)).delete(keys.control(workerId)));
}

/**
 * Lists registered workers (at most 1,000), oldest id first.
 *
 * @example
 * ```ts
 * for (const w of await listWorkers(store)) console.log(w.id, w.state);
 * ```
 */
export async function listWorkers(store: Store): Promise<WorkerRecord[]> {
  const entries = await store.db.list<WorkerRecord>({ prefix: keys.workers }, { limit: 1000 });
  return entries.map((e) => e.value);
}

/** Leaves a stop request that the worker honours on its next heartbeat (works across hosts). */
export async function requestStop(
  store: Store,
  workerId: string,
  request: StopRequest,
): Promise<void> {
  await store.db.set(keys.control(workerId), request);
}

/** The stop request left for a worker, if any. */
export async function readStopRequest(store: Store, workerId: string): Promise<StopRequest | null> {
  return (await store.db.get<StopRequest>(keys.control(workerId))).value;
}
