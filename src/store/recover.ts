/**
 * Recovering jobs whose worker died: the attempt counts as failed ("worker lost") and the job
 * takes the normal retry/DLQ path. Any live worker runs this.
 *
 * @module
 */
import type { Attempt, Job } from "../job.ts";
import { newId } from "../ids.ts";
import { lostReason } from "../lease.ts";
import { afterAttempt, type RetrySettings } from "../retry_policy.ts";
import { Tx } from "./db.ts";
import { keys } from "./keys.ts";
import { applyTransition } from "./transition.ts";
import type { Store } from "./open.ts";
import type { WorkerRecord } from "./workers.ts";

/** Options of {@linkcode recoverLost}. */
export interface RecoverOptions {
  /** The clock reading to judge leases by. */
  now: number;
  /** How long a worker may stay silent before its job is taken from it. */
  leaseMs: number;
  /** Backoff settings for the retry. */
  settings: RetrySettings;
  /** This process's host name. */
  host: string;
  /** Whether a pid on this host is alive. */
  pidAlive: (pid: number) => boolean;
  /**
   * Called once a lost job of a same-host worker has been taken back, so the recoverer can kill
   * the job's orphaned process group. Only after the commit: a worker that beat in time keeps its
   * job and its processes. The retry waits for its backoff, so the kill lands before it runs.
   */
  afterRecover?: (holder: WorkerRecord) => void;
}

/** A job taken back from a lost worker. */
export interface Recovered {
  /** The job as written (failed with a retry, or dead). */
  job: Job;
  /** Why its worker counts as lost. */
  reason: string;
}

/**
 * Finds processing jobs whose worker is gone and moves them on. Each recovery is one atomic
 * operation that checks the job and the worker entry it judged, so a worker that comes back at
 * that moment either keeps its job or loses it, never both.
 *
 * @example
 * ```ts
 * const recovered = await recoverLost(store, { now: Date.now(), leaseMs: 10_000, settings, host, pidAlive });
 * ```
 */
export async function recoverLost(store: Store, options: RecoverOptions): Promise<Recovered[]> {
  const out: Recovered[] = [];
  const entries = await store.db.list<string>(
    { prefix: keys.stateAll("processing") },
    { limit: 200 },
  );
  for (let i = 0; i < entries.length; i += 5) {
    const ids = entries.slice(i, i + 5).map((e) => e.value);
    const jobs = await store.db.getMany<Job>(ids.map((id) => keys.job(id)));
    const workerIds = jobs.map((j) => j.value?.worker ?? "");
    const workers = await store.db.getMany<WorkerRecord>(workerIds.map((w) => keys.worker(w)));
    for (const [k, current] of jobs.entries()) {
      const job = current.value;
      const holder = workers[k];
      if (!job || job.state !== "processing" || !holder) continue;
      const w = holder.value;
      const sameHost = w?.host === options.host;
      const reason = lostReason({
        heartbeatAt: w ? w.heartbeat_at : null,
        sameHost,
        pidAlive: w && sameHost ? options.pidAlive(w.pid) : null,
      }, options);
      if (!reason) continue;
      const written = await recoverOne(store, current as Deno.KvEntry<Job>, holder, {
        ...options,
        reason,
      });
      if (!written) continue;
      if (w && sameHost) options.afterRecover?.(w);
      out.push({ job: written, reason });
    }
  }
  return out;
}

async function recoverOne(
  store: Store,
  current: Deno.KvEntry<Job>,
  holder: Deno.KvEntryMaybe<WorkerRecord>,
  options: RecoverOptions & { reason: string },
): Promise<Job | null> {
  const job = current.value;
  const after: Job = {
    ...afterAttempt(
      job,
      { outcome: "worker_lost", exit_code: null, error: options.reason },
      options,
    ),
    seq: newId(options.now),
  };
  const attempt: Attempt = {
    n: job.runs,
    worker: job.worker ?? "",
    started_at: job.started_at ?? options.now,
    finished_at: options.now,
    exit_code: null,
    signal: null,
    outcome: after.state === "canceled" ? "canceled" : "worker_lost",
    error: options.reason,
    duration_ms: job.started_at === null ? null : options.now - job.started_at,
    output: null,
  };
  const tx = new Tx()
    .check(current.key, current.versionstamp)
    .check(holder.key, holder.versionstamp);
  applyTransition(tx, job, after);
  tx.set(keys.attempt(job.id, attempt.n), attempt);
  if (await store.db.commit(tx) === null) return null;
  return after;
}
