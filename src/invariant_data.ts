/**
 * What the invariant checker (`invariants.ts`) reads and reports: a {@linkcode Snapshot} of the
 * database as the store reads it, and the {@linkcode Violation}s found in one. Types only.
 *
 * @module
 */
import type { Job, JobState } from "./job.ts";
import type { UniqueEntry } from "./unique.ts";
import type { QueueViolation } from "./queue_invariants.ts";
import type { QueueSettings } from "./queue.ts";

/**
 * What the checker knows of a registered worker.
 *
 * @example
 * ```ts
 * const view: WorkerView = { heartbeat_at: Date.now(), host: "build-1", pid: 4242 };
 * ```
 */
export interface WorkerView {
  /** Its last heartbeat (ms). */
  heartbeat_at: number;
  /** The host it runs on. */
  host: string;
  /** Its pid on that host. */
  pid: number;
}

/**
 * Everything the checker needs, read by the store. Keys are JSON-encoded KV keys.
 *
 * @example
 * ```ts
 * import { JOB_STATES, type JobState } from "./job.ts";
 * const counters = Object.fromEntries(JOB_STATES.map((s) => [s, 0])) as Record<JobState, number>;
 * const empty: Snapshot = { jobs: [], index: [], counters, workers: new Map() };
 * ```
 */
export interface Snapshot {
  /** Every job record. */
  jobs: Job[];
  /**
   * Every index entry (`ready`, `scheduled`, `state`, `label`): its encoded key and the id it
   * names. A label entry is expected for each label of each job, whatever its state.
   */
  index: { key: string; id: string }[];
  /** The stored per-state counters. */
  counters: Record<JobState, number>;
  /** Registered workers by id. */
  workers: Map<string, WorkerView>;
  /** Ids of the stored job environments (`["env", id, …]`); absent: not checked. */
  envs?: ReadonlySet<string>;
  /** The stored reference count of each environment (`["env_refs", id]`); absent: not checked. */
  envRefs?: ReadonlyMap<string, number>;
  /** Jobs whose outcome is still being propagated (a `dep_done` marker). Default: none. */
  inFlight?: ReadonlySet<string>;
  /** The unique entries (`["unique", K]`) by key; absent: not checked. */
  unique?: ReadonlyMap<string, UniqueEntry>;
  /** Each queue's stored counters (`["qcount", q, state]`); absent: not checked. */
  queueCounters?: ReadonlyMap<string, Partial<Record<JobState, number>>>;
  /** Each queue's settings record; absent: none. */
  queues?: ReadonlyMap<string, QueueSettings>;
}

/**
 * One broken rule.
 *
 * @example
 * ```ts
 * const v: Violation = { kind: "stray_index", job: "a1", detail: "index entry … matches no job" };
 * ```
 */
export interface Violation {
  /** Short machine-readable kind. */
  kind:
    | "missing_index"
    | "stray_index"
    | "counter_mismatch"
    | "attempts_exceeded"
    | "orphaned_processing"
    | "env_missing"
    | "env_refs_mismatch"
    | "blocked_straggler"
    | "started_early"
    | "stray_unique"
    | "missing_unique"
    | "schedule_no_tick"
    | "stray_schedule_due"
    | QueueViolation["kind"];
  /** The job concerned, if any. */
  job?: string;
  /** The schedule concerned, if any. */
  schedule?: string;
  /** One readable sentence. */
  detail: string;
}
