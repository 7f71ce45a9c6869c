/**
 * The invariant checker over a whole-database snapshot (`doctor_snapshot.ts`);
 * `doctor_repair.ts` repairs indexes and counters from one.
 *
 * A snapshot taken on a live queue may mix moments; one during which no counter's versionstamp
 * changed is consistent (*quiet*). The checker retries until it gets one; if the queue is too
 * busy for that, it re-checks each suspected violation with a consistent read of just the keys
 * concerned. Repair writes only while the counters still have the versionstamps its snapshot saw,
 * so it never "fixes" a job from a stale view.
 *
 * @module
 */
import { type Job, JOB_STATES, type JobState } from "../job.ts";
import { type CheckOptions, findViolations, stateIndexSizes } from "../invariants.ts";
import type { Snapshot, Violation } from "../invariant_data.ts";
import { REMOTE_LIMITS } from "./db.ts";
import { keyText, readQuiet, scan } from "./doctor_snapshot.ts";
import { keys } from "./keys.ts";
import { indexKeys, lifetimeKeys } from "./transition.ts";
import type { Store } from "./open.ts";
import type { WorkerRecord } from "./workers.ts";

/**
 * Violations about several records together (a job and its dependencies, a unique entry and its
 * holder), which a re-read of one job cannot judge.
 */
const DEPENDENCY_KINDS: readonly Violation["kind"][] = [
  "blocked_straggler",
  "started_early",
  "stray_unique",
  "missing_unique",
];
/**
 * Every transition moves a global counter with its queue's, so a quiet snapshot judges these
 * exactly; a mixed one cannot (its job records are from different moments), and drops them.
 */
const QUEUE_KINDS: readonly Violation["kind"][] = ["queue_counter_mismatch", "queue_over_limit"];
/** Consistent re-reads tried per suspect before its first sighting is reported as is. */
const RECHECK_TRIES = 20;

/** What {@linkcode checkStore} found. */
export interface CheckResult {
  /** The broken rules (on a live queue, only those a consistent read confirmed). */
  violations: Violation[];
  /** How many job records were checked. */
  jobs: number;
  /**
   * Counters that a busy queue never let the checker read consistently (their state changed
   * during every read), so they could be neither confirmed nor cleared. Empty on a quiet queue.
   */
  unverified: JobState[];
}

/**
 * Checks the invariants of the database. Safe on a live queue: a transition that happens while
 * it reads is not reported as a violation.
 *
 * @example
 * ```ts
 * import type { Store } from "./open.ts";
 * declare const store: Store;
 * const { violations } = await checkStore(store, { now: Date.now(), leaseMs: 10_000 });
 * ```
 */
export async function checkStore(
  store: Store,
  options: Omit<CheckOptions, "expectedKeys">,
): Promise<CheckResult> {
  const { snap, quiet } = await readQuiet(store);
  const check = { ...options, expectedKeys };
  const found = findViolations(snap, check);
  const jobs = snap.jobs.length;
  if (quiet || found.length === 0) return { violations: found, jobs, unverified: [] };
  return { ...await recheck(store, snap, found, check), jobs };
}

function expectedKeys(job: Job): string[] {
  return [...indexKeys(job), ...lifetimeKeys(job)].map(keyText);
}

/** Keeps only the violations of a mixed snapshot that consistent re-reads confirm. */
async function recheck(
  store: Store,
  snap: Snapshot,
  found: Violation[],
  options: CheckOptions,
): Promise<Omit<CheckResult, "jobs">> {
  const violations: Violation[] = [];
  const unverified: JobState[] = [];
  const suspects = new Set<string>();
  // The dependency rules speak of several jobs, which a re-read of one cannot judge: they are
  // reported as first seen.
  violations.push(...found.filter((v) => DEPENDENCY_KINDS.includes(v.kind)));
  const single = found.filter((v) =>
    !DEPENDENCY_KINDS.includes(v.kind) && !QUEUE_KINDS.includes(v.kind)
  );
  for (const v of single) {
    if (v.kind !== "counter_mismatch" && v.job !== undefined) suspects.add(v.job);
  }
  for (const id of suspects) {
    const seen = single.filter((v) => v.kind !== "counter_mismatch" && v.job === id);
    const listed = snap.index.filter((e) => e.id === id).map((e) => e.key);
    const fresh = await recheckJob(store, id, listed, { ...options, workers: snap.workers });
    violations.push(...fresh?.filter((v) => !DEPENDENCY_KINDS.includes(v.kind)) ?? seen);
  }
  const sizes = stateIndexSizes(snap);
  for (const state of JOB_STATES) {
    if (snap.counters[state] === sizes[state]) continue;
    const fresh = await recheckCounter(store, state);
    if (fresh === undefined) unverified.push(state);
    else if (fresh) violations.push(fresh);
  }
  return { violations, unverified };
}

/**
 * The violations of one job, from one consistent read of its record, every index entry it should
 * have or was seen with, and its worker. Undefined when it kept changing (or has too many keys
 * to read at once).
 */
async function recheckJob(
  store: Store,
  id: string,
  listed: string[],
  options: CheckOptions & { workers: Snapshot["workers"] },
): Promise<Violation[] | undefined> {
  for (let i = 0; i < RECHECK_TRIES; i++) {
    const first = await store.db.get<Job>(keys.job(id));
    const job = first.value;
    const texts = new Set([...(job ? expectedKeys(job) : []), ...listed]);
    const indexList = [...texts].map((t) => JSON.parse(t) as Deno.KvKey);
    const worker = job?.state === "processing" && job.worker ? keys.worker(job.worker) : null;
    const all = [keys.job(id), ...indexList, ...(worker ? [worker] : [])];
    if (all.length > REMOTE_LIMITS.getMany) return undefined;
    const got = await store.db.getMany<unknown>(all);
    if (got[0]!.versionstamp !== first.versionstamp) continue; // Changed in between: again.
    const index = got.slice(1, 1 + indexList.length)
      .filter((e) => e.versionstamp !== null)
      .map((e) => ({ key: keyText(e.key), id: e.value as string }));
    const holder = worker ? got[got.length - 1]!.value as WorkerRecord | null : null;
    const jobs = job ? [job] : [];
    return findViolations({
      jobs,
      index,
      counters: stateIndexSizes({ jobs }),
      workers: withHolder(options.workers, job?.worker ?? null, holder),
    }, options);
  }
  return undefined;
}

/**
 * The workers as first read, so the checker still knows whether any is live, with the job's own
 * worker as just re-read (or gone).
 */
function withHolder(
  workers: Snapshot["workers"],
  id: string | null,
  holder: WorkerRecord | null,
): Snapshot["workers"] {
  const out = new Map(workers);
  if (id === null) return out;
  if (holder) out.set(id, holder);
  else out.delete(id);
  return out;
}

/**
 * Compares one counter with the size of its state's listing, read while that counter did not
 * change. Null when they agree; undefined when the counter never held still.
 */
async function recheckCounter(
  store: Store,
  state: JobState,
): Promise<Violation | null | undefined> {
  for (let i = 0; i < RECHECK_TRIES; i++) {
    const before = await store.db.get<Deno.KvU64>(keys.count(state));
    let size = 0;
    for await (const _ of scan(store, keys.listing(state))) size++;
    const after = await store.db.get<Deno.KvU64>(keys.count(state));
    if (before.versionstamp !== after.versionstamp) continue;
    const n = Number(after.value?.value ?? 0n);
    if (n === size) return null;
    return {
      kind: "counter_mismatch",
      detail: `counter ${state} is ${n} but ${size} jobs are ${state}`,
    };
  }
  return undefined;
}
