/**
 * Recovering jobs whose worker died: the attempt counts as failed ("worker lost") and the job
 * takes the normal retry/DLQ path. Any live worker runs this.
 *
 * @module
 */
import { type Attempt, FINAL_STATES, type Job } from "../job.ts";
import { newId } from "../ids.ts";
import { lostReason, workerAddress } from "../lease.ts";
import { afterAttempt, type RetrySettings } from "../retry_policy.ts";
import { Tx } from "./db.ts";
import { keys } from "./keys.ts";
import { applyTransition } from "./transition.ts";
import type { Store } from "./open.ts";
import type { WorkerRecord } from "./workers.ts";
import { runningJobs } from "../worker_record.ts";

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
  /** A finish hook is configured: a final state writes its outbox entry (`hook_outbox.ts`). */
  hooks?: boolean;
  /** Whether a pid on this host is alive. */
  pidAlive: (pid: number) => boolean;
  /**
   * The recovering worker's own id: its runs are never taken. It knows they are running or
   * holding a result the database refused, even when its own heartbeat could not be written.
   */
  self?: string;
  /**
   * Kills what is left of a lost run on this host and says how many processes it killed. Called
   * before the recovery commits when the run's worker is dead (nothing can keep the run alive,
   * so it ends before its retry exists), and after it commits when the worker's process still
   * lives (frozen past its lease, it might have beaten in time until the commit).
   */
  killOrphans?: (run: LostRun) => Promise<number>;
  /**
   * What a run of this host's left to say about itself, put in front of the reason: a result
   * its worker could not write before it stopped or died. Null when there is nothing.
   */
  lostCause?: (run: LostRun) => string | null;
  /** Told once a run's recovery is written (by this recoverer or by one that won the race). */
  settled?: (run: LostRun) => void;
}

/** A run whose worker is lost, on the recoverer's own host. */
export interface LostRun {
  /** The worker id that ran it. */
  worker: string;
  /** The job id. */
  job: string;
  /** The run number (its attempt record's `n`). */
  run: number;
  /** The run's process group, if its worker had published it. */
  pgid: number | null;
}

/** A job taken back from a lost worker. */
export interface Recovered {
  /** The job as written (failed with a retry, or dead). */
  job: Job;
  /** Why its worker counts as lost. */
  reason: string;
  /** How many processes of the lost run were still alive on this host and killed. */
  orphans: number;
  /** The run that was lost. */
  run: LostRun;
}

/**
 * Finds processing jobs whose worker is gone and moves them on. Each recovery is one atomic
 * operation that checks the job and the worker entry it judged, so a worker that comes back at
 * that moment either keeps its job or loses it, never both.
 *
 * @example
 * ```ts
 * import type { RetrySettings } from "../retry_policy.ts";
 * import type { Store } from "./open.ts";
 * declare const store: Store;
 * declare const settings: RetrySettings;
 * declare const host: string; // this process's host name
 * declare function pidAlive(pid: number): boolean;
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
      if (options.self !== undefined && job.worker === options.self) continue;
      const w = holder.value;
      // An unregistered worker's host and pid still read from its id.
      const at = w ?? workerAddress(job.worker ?? "");
      const sameHost = at?.host === options.host;
      const pidAlive = at && sameHost ? options.pidAlive(at.pid) : null;
      const reason = lostReason({
        heartbeatAt: w ? w.heartbeat_at : null,
        sameHost,
        pidAlive,
      }, options);
      if (!reason) continue;
      const run: LostRun = {
        worker: job.worker ?? "",
        job: job.id,
        run: job.runs,
        pgid: (w ? runningJobs(w) : []).find((r) => r.id === job.id)?.pgid ?? null,
      };
      const cause = sameHost ? options.lostCause?.(run) ?? null : null;
      const why = cause === null ? reason : `${cause}; then ${reason}`;
      const kill = sameHost ? options.killOrphans : undefined;
      const before = kill && pidAlive === false ? await kill(run) : 0;
      const written = await recoverOne(store, current as Deno.KvEntry<Job>, holder, {
        ...options,
        reason: orphanNote(why, before),
        orphans: before,
      });
      // Another recoverer that won the race may have found nothing left to kill: what this one
      // killed still belongs in the history.
      if (!written) {
        // Lost to another recoverer: the attempt is closed, and takes the count now. Lost to a
        // change of the worker's entry (pruned meanwhile): the attempt is still open, and the
        // tally must stay for whichever recovery closes it.
        if (before > 0 && await noteOrphans(store, { id: job.id, n: job.runs }, before)) {
          options.settled?.(run);
        }
        continue;
      }
      let orphans = before;
      if (kill && pidAlive !== false) {
        orphans = await kill(run);
        if (orphans > 0) await noteOrphans(store, { id: job.id, n: job.runs }, orphans);
      }
      options.settled?.(run);
      out.push({ job: written, reason: why, orphans, run });
    }
  }
  return out;
}

/**
 * The attempt's error once leftover processes had to be killed (pure): the history then shows
 * that the run outlived its worker, which would otherwise be invisible.
 *
 * @example
 * ```ts
 * orphanNote("worker lost: its process exited", 2);
 * // "worker lost: its process exited; killed 2 leftover processes of the attempt"
 * ```
 */
export function orphanNote(reason: string, orphans: number): string {
  // Kept in step with ORPHAN_NOTE, which finds this note again to update its count.
  if (orphans === 0) return reason;
  return `${reason}; killed ${orphans} leftover process${orphans === 1 ? "" : "es"} of the attempt`;
}

const ORPHAN_NOTE = /; killed \d+ leftover process(es)? of the attempt$/;

/**
 * Raises a recovered attempt's count of killed processes to at least `orphans`, after its
 * recovery committed (here or in another recoverer). At least, not plus: the counts of one host's
 * recoverers come from one shared tally, so each already includes what the others killed.
 * Checked, and tried again if the record changed meanwhile; an attempt that was not recovered as
 * lost is left as it is. False when the attempt is still open (no recovery closed it yet), so
 * the count must wait for the one that will.
 */
async function noteOrphans(
  store: Store,
  attempt: { id: string; n: number },
  orphans: number,
): Promise<boolean> {
  const key = keys.attempt(attempt.id, attempt.n);
  for (let i = 0; i < 3; i++) {
    const current = await store.db.get<Attempt>(key);
    const a = current.value;
    if (a?.finished_at === null) return false;
    if (!a || a.outcome === "succeeded") return true;
    const total = Math.max(a.orphans_killed ?? 0, orphans);
    if (total === a.orphans_killed) return true;
    const error = orphanNote((a.error ?? "").replace(ORPHAN_NOTE, ""), total);
    const tx = new Tx()
      .check(key, current.versionstamp)
      .set(key, { ...a, error, orphans_killed: total });
    if (await store.db.commit(tx) !== null) return true;
  }
  return true; // Changed under us three times: others are writing it; their count stands.
}

async function recoverOne(
  store: Store,
  current: Deno.KvEntry<Job>,
  holder: Deno.KvEntryMaybe<WorkerRecord>,
  options: RecoverOptions & { reason: string; orphans: number },
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
    ...(options.orphans > 0 ? { orphans_killed: options.orphans } : {}),
  };
  const tx = new Tx()
    .check(current.key, current.versionstamp)
    .check(holder.key, holder.versionstamp);
  applyTransition(tx, job, after, { hooks: options.hooks });
  tx.set(keys.attempt(job.id, attempt.n), attempt);
  if (await store.db.commit(tx) === null) return null;
  if (FINAL_STATES.includes(after.state)) await store.endBell.ring();
  return after;
}
