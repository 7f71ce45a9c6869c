/**
 * Group commit: the ends of several attempts of one worker process and the claims for its slots
 * that free, in one atomic operation, each still checked (fencing as in `finish.ts`). When that
 * operation fails (any check), nothing of it is written and each end is written alone with its
 * own fencing, so a failed check never loses the others.
 *
 * @module
 */
import { FINAL_STATES, type Job } from "../job.ts";
import { queueOf } from "../queue.ts";
import { Tx } from "./db.ts";
import { keys } from "./keys.ts";
import { addClaim, type Candidate, type Claimed, claimStamp, readCandidates } from "./claim.ts";
import { addFinish, type AttemptReport, finishAttempt, type FinishOptions } from "./finish.ts";
import type { Store } from "./open.ts";
import { commitCounted } from "./counted_commit.ts";
import { ringIfRoomFreed } from "./queue_registry.ts";

/** One attempt's end in a batch. */
export interface BatchItem {
  /** The attempt as claimed. */
  claimed: Claimed;
  /** How it ended. */
  report: AttemptReport;
}

/** What {@linkcode finishBatch} did. */
export interface BatchOutcome {
  /** Each item's job as written, in order; null where the result was refused (fencing). */
  jobs: (Job | null)[];
  /** The jobs claimed for the worker in the same commit (at most `claims`), best first. */
  next: Claimed[];
  /** Whether the whole batch went in one commit (false: each end was written alone). */
  together: boolean;
  /**
   * Whether the candidates given in `options.candidates` failed a check (another worker took
   * one, or one changed): whatever else was read with them is stale too.
   */
  stale: boolean;
}

/** Options of {@linkcode finishBatch}. */
export interface BatchOptions extends FinishOptions {
  /** The worker whose attempts these are and who claims. */
  workerId: string;
  /** How many jobs to claim with the ends (its slots that are free then). */
  claims: number;
  /** The queues served, in order of preference; absent: all. */
  queues?: readonly string[];
  /** The clock that stamps the claims (see `ClaimOptions.clock`). */
  clock?: () => number;
  /** Random source in [0, 1), for tests. */
  random?: () => number;
  /**
   * Candidates read ahead of time (while the commands ran), in claim order. When the commit
   * that claims them fails, the batch is tried once more with candidates read afresh, since a
   * stale read fails its checks as a lost race would. Absent or empty: read now.
   */
  candidates?: readonly Candidate[];
}

/** Checks the metric tally adds to a commit. */
const TALLY_CHECKS = 1;

/**
 * Whether a candidate's queue has a limit (a concurrency or a rate) that its claim moves.
 *
 * @example
 * ```ts
 * import type { Candidate } from "./claim.ts";
 * declare const candidate: Candidate;
 * limited(candidate); // false for a queue with no settings
 * ```
 */
export function limited(candidate: Candidate): boolean {
  const s = candidate.gate.settings.value;
  return s?.concurrency != null || s?.rate != null;
}

/** A claim in a batch: the candidate, and whether this claim adds its queue's gate. */
export interface Pick {
  /** The candidate claimed. */
  candidate: Candidate;
  /** False for a later claim of a queue with no limit: the first one checked its record. */
  gate: boolean;
}

/**
 * The checks of a claim of `candidate`: its `ready` entry, its record and, with `gate`, its
 * queue's gate (the record, plus the running count and the start times its limits need).
 *
 * @example
 * ```ts
 * import type { Candidate } from "./claim.ts";
 * declare const candidate: Candidate;
 * claimChecks(candidate, true); // 3 for a queue with no limit
 * ```
 */
export function claimChecks(candidate: Candidate, gate: boolean): number {
  if (!gate) return 2;
  const s = candidate.gate.settings.value;
  return 3 + (s?.concurrency != null ? 1 : 0) + (s?.rate != null ? 1 : 0);
}

/**
 * Which candidates to claim beside `ends` finishes in one operation of at most `maxChecks`
 * checks (pure): in the order given (claim order: priority, then age), at most `claims`, and at
 * most one per queue with a limit, since such a claim checks and moves its queue's gate (the
 * gate's verdict was for one start).
 *
 * @example
 * ```ts
 * import type { Candidate } from "./claim.ts";
 * declare const candidates: Candidate[];
 * pickClaims(candidates, { ends: 2, claims: 2, maxChecks: 10 }).length; // at most 2
 * ```
 */
export function pickClaims(
  candidates: readonly Candidate[],
  options: { ends: number; claims: number; maxChecks: number },
): Pick[] {
  let room = options.maxChecks - TALLY_CHECKS - options.ends;
  const queues = new Set<string>();
  const out: Pick[] = [];
  for (const candidate of candidates) {
    if (out.length >= options.claims) break;
    const q = queueOf(candidate.current.value);
    const seen = queues.has(q);
    if (seen && limited(candidate)) continue;
    const cost = claimChecks(candidate, !seen);
    if (cost > room) continue;
    queues.add(q);
    room -= cost;
    out.push({ candidate, gate: !seen });
  }
  return out;
}

/**
 * Writes the ends of `items` and claims up to `options.claims` jobs, all in one atomic op when
 * they fit its checks (`items.length` below the store's `maxChecks`: 9 over KV Connect). When that commit fails, each end is written alone
 * by {@linkcode finishAttempt} (which keeps every fencing rule) and nothing is claimed.
 *
 * @example
 * ```ts
 * import type { RetrySettings } from "../retry_policy.ts";
 * import type { Store } from "./open.ts";
 * declare const store: Store;
 * declare const items: BatchItem[];
 * declare const settings: RetrySettings;
 * const now = Date.now();
 * const { jobs, next } = await finishBatch(store, items, { now, settings, workerId: "w1", claims: 2 });
 * ```
 */
export async function finishBatch(
  store: Store,
  items: readonly BatchItem[],
  options: BatchOptions,
): Promise<BatchOutcome> {
  if (items.length === 0 || items.length > store.db.maxChecks - TALLY_CHECKS) {
    return { jobs: await alone(store, items, options), next: [], together: false, stale: false };
  }
  const early = options.claims > 0 && (options.candidates?.length ?? 0) > 0;
  const outcome = await together(store, items, {
    ...options,
    candidates: early ? options.candidates : undefined,
  });
  if (outcome) return outcome;
  // The early read may have gone stale (another worker claimed one): read afresh once.
  const again = early ? await together(store, items, { ...options, candidates: undefined }) : null;
  const fallback = again ??
    { jobs: await alone(store, items, options), next: [], together: false, stale: false };
  return { ...fallback, stale: early };
}

/** The batch in one commit; null when a check failed (nothing of it was written). */
async function together(
  store: Store,
  items: readonly BatchItem[],
  options: BatchOptions,
): Promise<BatchOutcome | null> {
  const { now, tally } = options;
  const ending = new Set(items.map((i) => i.claimed.job.id));
  const candidates = options.claims <= 0 ? [] : options.candidates ?? await readCandidates(store, {
    workerId: options.workerId,
    now,
    random: options.random,
    queues: options.queues,
    fetch: options.claims + items.length,
    // The ends leave their queues' running counts in this same operation.
    leaving: items.map((i) => i.claimed.job),
  });
  const picked = pickClaims(candidates.filter((c) => !ending.has(c.current.value.id)), {
    ends: items.length,
    claims: options.claims,
    maxChecks: store.db.maxChecks,
  });
  const tx = new Tx();
  for (const { claimed } of items) tx.check(keys.job(claimed.job.id), claimed.versionstamp);
  const { value, versionstamp } = await commitCounted(store, {
    tx,
    now,
    tally,
    build: (metrics) => {
      const jobs = items.map(({ claimed, report }) =>
        addFinish(tx, claimed.job, report, { ...options, metrics })
      );
      const stamp = claimStamp({ now, clock: options.clock });
      const next = picked.map(({ candidate, gate }) =>
        addClaim(tx, candidate, { workerId: options.workerId, now: stamp, metrics, gate })
      );
      tx.dropZeroSums();
      return { jobs, next };
    },
  });
  if (versionstamp === null) return null;
  if (value.jobs.some((j) => j.state === "pending")) await store.doorbell.ring();
  else await ringIfRoomFreed(store, value.jobs, value.next);
  if (value.jobs.some((j) => FINAL_STATES.includes(j.state))) await store.endBell.ring();
  const next = value.next.map((job) => ({ job, versionstamp }));
  return { jobs: value.jobs, next, together: true, stale: false };
}

/** Each end written by itself, in order. */
async function alone(
  store: Store,
  items: readonly BatchItem[],
  options: FinishOptions,
): Promise<(Job | null)[]> {
  const out: (Job | null)[] = [];
  for (const { claimed, report } of items) {
    out.push(await finishAttempt(store, claimed, report, options));
  }
  return out;
}
