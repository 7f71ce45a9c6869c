/**
 * The worker registry: who is running, where, on what, and when it last proved it was alive.
 *
 * @module
 */
import { lostReason } from "../lease.ts";
import { REMOTE_LIMITS, Tx } from "./db.ts";
import { keys } from "./keys.ts";
import type { Store } from "./open.ts";
import type { WorkerRecord } from "../worker_record.ts";
import type { Job } from "../job.ts";

export type { WorkerRecord, WorkerState } from "../worker_record.ts";

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
 * import type { Store } from "./open.ts";
 * declare const store: Store;
 * declare const record: WorkerRecord;
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
 * import type { Store } from "./open.ts";
 * declare const store: Store;
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

/** What a worker's heartbeat reads: {@linkcode readWorkerInbox}. */
export interface WorkerInbox {
  /** The stop request left for the worker, if any. */
  stop: StopRequest | null;
  /** The records of the jobs it runs, as they are now, in the order asked (null: gone). */
  jobs: (Job | null)[];
}

/**
 * Reads the stop request left for `workerId` and the records of the jobs it runs (`jobIds`, one
 * per busy slot): a cancel, or a recovery that took a job from it. One round trip for up to nine
 * jobs (a remote KV reads at most ten keys at once), a few more for a worker with more slots,
 * sent together.
 *
 * @example
 * ```ts
 * import type { Store } from "./open.ts";
 * declare const store: Store;
 * const { stop, jobs: [build] } = await readWorkerInbox(store, "h:42:ab", ["build"]);
 * ```
 */
export async function readWorkerInbox(
  store: Store,
  workerId: string,
  jobIds: readonly string[],
): Promise<WorkerInbox> {
  const wanted = [keys.control(workerId), ...jobIds.map((id) => keys.job(id))];
  const chunks: Deno.KvKey[][] = [];
  for (let i = 0; i < wanted.length; i += REMOTE_LIMITS.getMany) {
    chunks.push(wanted.slice(i, i + REMOTE_LIMITS.getMany));
  }
  const got = (await Promise.all(chunks.map((c) => store.db.getMany<unknown>(c)))).flat();
  return {
    stop: (got[0]?.value ?? null) as StopRequest | null,
    jobs: got.slice(1).map((e) => (e.value ?? null) as Job | null),
  };
}

/**
 * Removes registry entries of workers that are gone (lease lapsed, or a dead pid on this host),
 * so `worker list` and `status` show only the living. Safe in any order with recovery: a job
 * whose worker has no entry is recovered at once. Returns the ids removed.
 *
 * @example
 * ```ts
 * import type { Store } from "./open.ts";
 * declare const store: Store;
 * declare const host: string; // this process's host name
 * declare function pidAlive(pid: number): boolean;
 * await pruneWorkers(store, { now: Date.now(), leaseMs: 10_000, host, pidAlive });
 * ```
 */
export async function pruneWorkers(
  store: Store,
  options: {
    now: number;
    leaseMs: number;
    host: string;
    pidAlive: (pid: number) => boolean;
    /** The pruning worker's own id, never removed (it is alive, whatever its entry says). */
    self?: string;
  },
): Promise<string[]> {
  const entries = await store.db.list<WorkerRecord>({ prefix: keys.workers }, { limit: 1000 });
  const removed: string[] = [];
  for (const e of entries) {
    const w = e.value;
    if (w.id === options.self) continue;
    const sameHost = w.host === options.host;
    const reason = lostReason({
      heartbeatAt: w.heartbeat_at,
      sameHost,
      pidAlive: sameHost ? options.pidAlive(w.pid) : null,
    }, options);
    if (!reason) continue;
    const tx = new Tx().check(e.key, e.versionstamp).delete(e.key).delete(keys.control(w.id));
    if (await store.db.commit(tx) !== null) removed.push(w.id);
  }
  return removed;
}

/**
 * Fails with an OperationError unless the database takes a write (read-only file, full disk).
 * `worker start` calls it first, so a database that cannot be written gives one clear error
 * instead of workers that crash on their first write and are restarted forever.
 *
 * @example
 * ```ts
 * import type { Store } from "./open.ts";
 * declare const store: Store;
 * await assertWritable(store);
 * ```
 */
export async function assertWritable(store: Store): Promise<void> {
  await store.db.set(keys.probe, Date.now());
}
