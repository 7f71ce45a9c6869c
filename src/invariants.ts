/**
 * The queue's invariants, checked over a snapshot of the database (pure). `doctor` reports what
 * this finds and `doctor --repair` rebuilds indexes and counters from the job records.
 *
 * @module
 */
import { type Job, JOB_STATES, type JobState } from "./job.ts";

/** Everything the checker needs, read by the store. Keys are JSON-encoded KV keys. */
export interface Snapshot {
  /** Every job record. */
  jobs: Job[];
  /** Every index entry (`ready`, `scheduled`, `state`): its encoded key and the id it names. */
  index: { key: string; id: string }[];
  /** The stored per-state counters. */
  counters: Record<JobState, number>;
  /** Registered workers: id → last heartbeat (ms). */
  workers: Map<string, number>;
}

/** One broken rule. */
export interface Violation {
  /** Short machine-readable kind. */
  kind:
    | "missing_index"
    | "stray_index"
    | "counter_mismatch"
    | "attempts_exceeded"
    | "orphaned_processing";
  /** The job concerned, if any. */
  job?: string;
  /** One readable sentence. */
  detail: string;
}

/**
 * Lists every broken invariant in `snap` (pure):
 * every job is in exactly the indexes of its state; no index entry names a missing job or the
 * wrong state; counters equal index sizes; attempts never exceed `1 + max_retries`; every
 * processing job's worker is registered and heartbeating within `leaseMs` (else it is reported,
 * and a live worker will recover it).
 *
 * @example
 * ```ts
 * const problems = findViolations(snapshot, { now: Date.now(), leaseMs: 10_000, expectedKeys });
 * ```
 */
export function findViolations(
  snap: Snapshot,
  options: { now: number; leaseMs: number; expectedKeys: (job: Job) => string[] },
): Violation[] {
  const out: Violation[] = [];
  const expected = new Map<string, string>();
  for (const job of snap.jobs) {
    for (const k of options.expectedKeys(job)) expected.set(k, job.id);
    if (job.attempts > 1 + job.max_retries) {
      out.push({
        kind: "attempts_exceeded",
        job: job.id,
        detail:
          `job ${job.id} ran ${job.attempts} times, more than 1 + max_retries (${job.max_retries})`,
      });
    }
    if (job.state === "processing") {
      const beat = job.worker === null ? undefined : snap.workers.get(job.worker);
      if (beat === undefined || options.now - beat > options.leaseMs) {
        out.push({
          kind: "orphaned_processing",
          job: job.id,
          detail: `job ${job.id} is processing but its worker ${job.worker} is ${
            beat === undefined ? "not registered" : "silent past its lease"
          } (a live worker will recover it)`,
        });
      }
    }
  }
  const present = new Set(snap.index.map((e) => e.key));
  for (const [key, id] of expected) {
    if (!present.has(key)) {
      out.push({ kind: "missing_index", job: id, detail: `job ${id} lacks index entry ${key}` });
    }
  }
  for (const e of snap.index) {
    if (!expected.has(e.key)) {
      out.push({
        kind: "stray_index",
        job: e.id,
        detail: `index entry ${e.key} matches no job in that state`,
      });
    }
  }
  const sizes = stateIndexSizes(snap);
  for (const state of JOB_STATES) {
    if (snap.counters[state] !== sizes[state]) {
      out.push({
        kind: "counter_mismatch",
        detail: `counter ${state} is ${snap.counters[state]} but ${sizes[state]} jobs are ${state}`,
      });
    }
  }
  return out;
}

/** How many jobs each state has, from the records themselves (pure). */
export function stateIndexSizes(snap: Pick<Snapshot, "jobs">): Record<JobState, number> {
  const sizes = Object.fromEntries(JOB_STATES.map((s) => [s, 0])) as Record<JobState, number>;
  for (const job of snap.jobs) sizes[job.state]++;
  return sizes;
}
