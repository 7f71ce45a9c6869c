/**
 * The queue's invariants, checked over a snapshot of the database (pure). `doctor` reports what
 * this finds and `doctor --repair` rebuilds indexes and counters from the job records. The
 * snapshot and violation shapes are `invariant_data.ts`.
 *
 * @module
 */
import { FINAL_STATES, type Job, JOB_STATES, type JobState } from "./job.ts";
import { lostReason, workerAddress } from "./lease.ts";
import { holdsUniqueKey, type UniqueEntry, uniqueHeld } from "./unique.ts";
import { queueViolations } from "./queue_invariants.ts";
import type { Snapshot, Violation } from "./invariant_data.ts";

/** Options of {@linkcode findViolations}. */
export interface CheckOptions {
  /** The clock reading to judge leases by. */
  now: number;
  /** How long a worker may stay silent before its job counts as lost. */
  leaseMs: number;
  /** The index keys (JSON-encoded) a job must have in its state. */
  expectedKeys: (job: Job) => string[];
  /** The checker's host: a worker there whose pid is gone is lost at once. Default: none. */
  host?: string;
  /** Whether a pid on the checker's host is alive. Default: assumed alive. */
  pidAlive?: (pid: number) => boolean;
  /** How often a live worker looks for lost jobs, in ms. Default 1000. */
  lookMs?: number;
}

/**
 * Lists every broken invariant in `snap` (pure):
 * every job is in exactly the indexes of its state; no index entry names a missing job or the
 * wrong state; counters equal index sizes; attempts never exceed `1 + max_retries`; every
 * processing job's worker is registered, heartbeating within `leaseMs` and, on the checker's own
 * host, alive (else the job is reported as lost, with when a live worker will recover it); a job
 * that may still run has its stored environment (else its next attempt ends dead), and each
 * environment's reference count equals the jobs that name it; no job stays blocked once every
 * dependency ended and no propagation of theirs is in flight; no job left blocked or held while
 * a dependency of it has never finished.
 *
 * @example
 * ```ts
 * import type { Snapshot } from "./invariant_data.ts";
 * declare const snapshot: Snapshot; // read by the store's doctor
 * declare const expectedKeys: CheckOptions["expectedKeys"];
 * const problems = findViolations(snapshot, { now: Date.now(), leaseMs: 10_000, expectedKeys });
 * ```
 */
export function findViolations(
  snap: Snapshot,
  options: CheckOptions,
): Violation[] {
  const out: Violation[] = [];
  const lost = (worker: string | null) => lostWorker(snap, worker, options);
  const live = [...snap.workers.keys()].filter((id) => lost(id) === null).length;
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
    const env = job.env ?? null;
    if (env !== null && snap.envs && !snap.envs.has(env) && !FINAL_STATES.includes(job.state)) {
      out.push({
        kind: "env_missing",
        job: job.id,
        detail: `job ${job.id} references environment ${env}, which is missing: ` +
          `its next attempt will end dead`,
      });
    }
    const why = job.state === "processing" ? lost(job.worker) : null;
    if (why !== null) {
      const pending = live > 0
        ? `in ${Math.ceil((options.lookMs ?? 1000) / 1000)} s (a live worker will recover it)`
        : "until a worker runs (none is live)";
      out.push({
        kind: "orphaned_processing",
        job: job.id,
        detail:
          `job ${job.id} is processing but its worker ${job.worker} ${why}: lost, recovery pending ${pending}`,
      });
    }
  }
  out.push(...dependencyViolations(snap));
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
  if (snap.envRefs) out.push(...envRefViolations(snap.jobs, snap.envRefs));
  if (snap.unique) out.push(...uniqueViolations(snap.jobs, snap.unique, options.now));
  if (snap.queueCounters) {
    out.push(...queueViolations(snap.jobs, snap.queueCounters, snap.queues ?? new Map()));
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

/**
 * Unique entries that hold nothing (their holder is gone or final, past any window:
 * `stray_unique`, which `doctor --repair` deletes), and jobs waiting or running with a unique
 * key whose entry does not name them (`missing_unique`).
 *
 * @example
 * ```ts
 * uniqueViolations([], new Map([["k", { id: "gone", until: null }]]), 0)[0]?.kind; // "stray_unique"
 * ```
 */
export function uniqueViolations(
  jobs: readonly Job[],
  unique: ReadonlyMap<string, UniqueEntry>,
  now: number,
): Violation[] {
  const out: Violation[] = [];
  const byId = new Map(jobs.map((j) => [j.id, j]));
  for (const [key, entry] of unique) {
    if (uniqueHeld(entry, byId.get(entry.id) ?? null, now)) continue;
    const holder = byId.get(entry.id);
    out.push({
      kind: "stray_unique",
      detail: `unique key ${JSON.stringify(key)} names job ${entry.id}, which ` +
        (holder ? `is ${holder.state}` : "does not exist") +
        (entry.until === null ? "" : ` and whose window ended`),
    });
  }
  for (const job of jobs) {
    if (!holdsUniqueKey(job) || unique.get(job.unique_key!)?.id === job.id) continue;
    out.push({
      kind: "missing_unique",
      job: job.id,
      detail: `job ${job.id} is ${job.state} with unique key ${JSON.stringify(job.unique_key)} ` +
        `but does not hold its entry`,
    });
  }
  return out;
}

/**
 * Reference counts that differ from the number of jobs naming the environment: a count too low
 * lets the sweep remove an environment jobs still need; too high keeps one forever.
 */
function envRefViolations(jobs: Job[], stored: ReadonlyMap<string, number>): Violation[] {
  const actual = new Map<string, number>();
  for (const job of jobs) if (job.env) actual.set(job.env, (actual.get(job.env) ?? 0) + 1);
  const out: Violation[] = [];
  for (const id of new Set([...actual.keys(), ...stored.keys()])) {
    const [want, have] = [actual.get(id) ?? 0, stored.get(id) ?? 0];
    if (want === have) continue;
    out.push({
      kind: "env_refs_mismatch",
      detail: `environment ${id} is counted ${have} times but ${want} jobs reference it`,
    });
  }
  return out;
}

/**
 * The dependency rules (pure): a blocked job none of whose dependencies can still finish, with
 * no propagation in flight, is a straggler (`doctor --repair` moves it on); a job that left
 * blocked/held (and was not canceled) while a dependency has never finished started early.
 *
 * @example
 * ```ts
 * import type { Snapshot } from "./invariant_data.ts";
 * declare const snapshot: Snapshot;
 * dependencyViolations(snapshot); // [] on a healthy queue
 * ```
 */
export function dependencyViolations(snap: Pick<Snapshot, "jobs" | "inFlight">): Violation[] {
  const out: Violation[] = [];
  const byId = new Map(snap.jobs.map((j) => [j.id, j]));
  const moving = snap.inFlight ?? new Set<string>();
  for (const job of snap.jobs) {
    if (!job.after) continue;
    const deps = job.after.map((id) => byId.get(id));
    if (job.state === "blocked") {
      const ended = deps.every((d) => d === undefined || FINAL_STATES.includes(d.state));
      if (ended && !job.after.some((id) => moving.has(id))) {
        out.push({
          kind: "blocked_straggler",
          job: job.id,
          detail:
            `job ${job.id} is blocked but every dependency has ended (doctor --repair moves it on)`,
        });
      }
    } else if (job.state !== "held" && job.state !== "canceled") {
      const early = deps.find((d) => d !== undefined && d.finished_at === null);
      if (early) {
        out.push({
          kind: "started_early",
          job: job.id,
          detail: `job ${job.id} is ${job.state} but its dependency ${early.id} never finished`,
        });
      }
    }
  }
  return out;
}

/** Why the worker `id` counts as lost, as a phrase, or null while it may still be working. */
function lostWorker(snap: Snapshot, id: string | null, options: CheckOptions): string | null {
  const w = id === null ? undefined : snap.workers.get(id);
  const at = w ?? workerAddress(id ?? "");
  const sameHost = options.host !== undefined && at?.host === options.host;
  const pidAlive = sameHost && at ? (options.pidAlive?.(at.pid) ?? true) : null;
  if (!lostReason({ heartbeatAt: w?.heartbeat_at ?? null, sameHost, pidAlive }, options)) {
    return null;
  }
  if (w === undefined) return "is not registered";
  return pidAlive === false
    ? "has exited (its pid is gone on this host)"
    : "is silent past its lease";
}

/** How many jobs each state has, from the records themselves (pure). */
export function stateIndexSizes(snap: Pick<Snapshot, "jobs">): Record<JobState, number> {
  const sizes = Object.fromEntries(JOB_STATES.map((s) => [s, 0])) as Record<JobState, number>;
  for (const job of snap.jobs) sizes[job.state]++;
  return sizes;
}
