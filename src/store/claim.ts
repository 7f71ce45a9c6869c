/**
 * Claiming the next runnable job with an atomic check-and-set.
 *
 * @module
 */
import type { Attempt, Job } from "../job.ts";
import { newId } from "../ids.ts";
import { Tx } from "./db.ts";
import { keys } from "./keys.ts";
import { applyTransition } from "./transition.ts";
import type { Store } from "./open.ts";
import type { MetricTally } from "./metric_tally.ts";
import type { MetricSink } from "./metric_sink.ts";
import { commitCounted } from "./counted_commit.ts";
import { queueOf } from "../queue.ts";
import { queueCache } from "./queue_registry.ts";
import { readReadyWindow } from "./ready_window.ts";
import { addGate, gateFrom, gateKeys, gateVerdict, type QueueGate } from "./queue_gate.ts";

/** A job this worker now owns, with the versionstamp its result must match. */
export interface Claimed {
  /** The job as claimed (state `processing`, `worker` set, `runs` = this attempt's number). */
  job: Job;
  /** Versionstamp of the job record written by the claim. */
  versionstamp: string;
}

/** Options of {@linkcode claimNext}. */
export interface ClaimOptions {
  /** The claiming worker's id. */
  workerId: string;
  /** The clock reading to stamp the claim with. */
  now: number;
  /** How many ready entries to look at; default 8 (32 when contended), and at least `fetch`. */
  window?: number;
  /** Of those, how many records to read (in claim order); default 2. */
  fetch?: number;
  /** Random source in [0, 1), for tests. Default `Math.random`. */
  random?: () => number;
  /**
   * Random source of a contended worker's spread (see {@linkcode claimOrder}), for tests.
   * Default `Math.random`, whatever `random` is: a caller that draws `() => 0` to keep a lone
   * worker in FIFO order must not line every contended process up on the same job.
   */
  spreadRandom?: () => number;
  /** The worker's metric tally, to count the claim into (one write instead of counter keys). */
  tally?: MetricTally;
  /** The queues served, in order of preference (`worker start --queues`); default: all. */
  queues?: readonly string[];
  /**
   * A clock read again once the candidates are read, to stamp the claim (never before `now`).
   * A slot of a limited queue freed by another worker is then always taken after that worker's
   * `finished_at`, so the attempt history never shows more runs open than the limit allows.
   * Default: none, the claim is stamped `now` (tests).
   */
  clock?: () => number;
}

/**
 * The time to stamp a claim with: `options.now`, or a later reading of `options.clock`.
 *
 * @example
 * ```ts
 * claimStamp({ now: 5 }); // 5
 * ```
 */
export function claimStamp(options: { now: number; clock?: () => number }): number {
  return options.clock ? Math.max(options.now, options.clock()) : options.now;
}

/**
 * The order in which to try `n` candidates listed in priority-then-FIFO order (pure). The oldest
 * job is tried first, so a lone worker runs equal priorities in FIFO order; workers that lose the
 * race for it spread from a random start over the next few of the same priority instead of all
 * racing for the second. A `contended` worker (one that lost a race a moment ago) spreads its
 * first try too, over the first {@linkcode CONTENDED_SPREAD} of the highest priority: otherwise
 * every worker goes for the same oldest job each time, and all but one lose a commit for it.
 * Lower priorities come only after every higher one, either way.
 *
 * @example
 * ```ts
 * claimOrder([0, 0, 0, 5], () => 0.5); // [0, 2, 1, 3]
 * claimOrder([0, 0, 0, 5], () => 0.5, { contended: true }); // [1, 2, 0, 3]
 * ```
 */
export function claimOrder(
  priorities: readonly number[],
  random: () => number,
  options: { contended?: boolean } = {},
): number[] {
  const n = priorities.length;
  if (n === 0) return [];
  let head = 1;
  while (head < n && priorities[head] === priorities[0]) head++;
  const order: number[] = [];
  if (options.contended) {
    const width = Math.min(head, CONTENDED_SPREAD);
    const start = Math.floor(random() * width);
    for (let i = 0; i < width; i++) order.push((start + i) % width);
    for (let i = width; i < n; i++) order.push(i);
    return order;
  }
  const spread = Math.min(head, 4) - 1;
  const start = spread > 0 ? Math.floor(random() * spread) : 0;
  order.push(0);
  for (let i = 0; i < spread; i++) order.push(1 + (start + i) % spread);
  for (let i = spread + 1; i < n; i++) order.push(i);
  return order;
}

/** How long after a lost race a worker counts as contended (see {@linkcode claimOrder}). */
export const CONTENDED_MS = 2000;
/**
 * Over how many of the top priority a contended worker spreads its first try. Two processes of
 * 16 slots each read the head of the queue while the other commits claims from it, each read
 * used a few ms later: spread over 4 they lost 0.77 commits per job to each other, over 16 (of a
 * window of {@linkcode CONTENDED_WINDOW}) 0.28 (docs/PERFORMANCE.md, "Slots").
 *
 * @example
 * ```ts
 * claimOrder(Array(40).fill(0), () => 0.99, { contended: true })[0]; // 15
 * ```
 */
export const CONTENDED_SPREAD = 16;
/**
 * How many `ready` entries a contended worker lists (8 otherwise): room for the spread.
 *
 * @example
 * ```ts
 * CONTENDED_WINDOW >= CONTENDED_SPREAD; // true
 * ```
 */
export const CONTENDED_WINDOW = 32;
// When each worker of this process last lost a race for a job. It only steers which candidate is
// tried first; every claim is still checked, so a stale or missing entry costs nothing but order.
const lostRaceAt = new Map<string, number>();

/**
 * Notes that `workerId` lost a race for a job at `now` (a claim commit that failed), so that its
 * next claims spread their first try.
 */
export function noteLostRace(workerId: string, now: number): void {
  lostRaceAt.set(workerId, now);
}

/**
 * Claims one runnable job, or returns null when there is none. Each try is one atomic operation
 * that checks both the `ready` entry and the job record, so two workers never claim one job,
 * and the job's queue gate (settings, and the running counter or start ring of a limited or
 * rated queue), so no queue passes its limit; a lost race moves on to the next candidate.
 *
 * @example
 * ```ts
 * import type { Store } from "./open.ts";
 * declare const store: Store;
 * const claimed = await claimNext(store, { workerId: "w1", now: Date.now() });
 * ```
 */
export async function claimNext(store: Store, options: ClaimOptions): Promise<Claimed | null> {
  for (let round = 0; round < 8; round++) {
    const candidates = await readCandidates(store, options);
    if (candidates.length === 0) return null;
    for (const candidate of candidates) {
      const { tally, workerId } = options;
      const now = claimStamp(options);
      const tx = new Tx();
      const { value: job, versionstamp } = await commitCounted(store, {
        tx,
        now,
        tally,
        build: (metrics) => addClaim(tx, candidate, { workerId, now, metrics }),
      });
      if (versionstamp !== null) return { job, versionstamp };
      noteLostRace(options.workerId, now);
    }
  }
  return null;
}

/** A pending job that may be claimed: its `ready` entry and its record, as read. */
export interface Candidate {
  /** The `ready` index entry. */
  entry: Deno.KvEntry<string>;
  /** The job record. */
  current: Deno.KvEntry<Job>;
  /** Its queue's gate, read with the record: the claim checks it (see `queue_gate.ts`). */
  gate: QueueGate;
}

/**
 * Reads the first ready entries of the served queues, and the records of the few to try first
 * with their queues' gates (two round trips), in the order to try them. Only `fetch` records
 * are read: a claim tries one or two, and each record read is a V8 deserialisation on the
 * worker's hot path. A candidate whose queue may not start a job now is left out.
 *
 * @example
 * ```ts
 * import type { Store } from "./open.ts";
 * declare const store: Store;
 * const candidates = await readCandidates(store, { workerId: "w1", now: Date.now() });
 * ```
 */
export async function readCandidates(
  store: Store,
  options: ClaimOptions & { leaving?: readonly Job[] },
): Promise<Candidate[]> {
  const lost = lostRaceAt.get(options.workerId);
  const contended = lost !== undefined && options.now - lost < CONTENDED_MS;
  const { entries: ready, registry } = await readReadyWindow(store, {
    now: options.now,
    window: options.window ?? Math.max(options.fetch ?? 2, contended ? CONTENDED_WINDOW : 8),
    queues: options.queues,
    leaving: options.leaving,
  });
  if (ready.length === 0) return [];
  const order = claimOrder(
    ready.map((e) => e.key[2] as number),
    contended ? options.spreadRandom ?? Math.random : options.random ?? Math.random,
    { contended },
  ).slice(0, options.fetch ?? 2);
  // The gates of the candidates' queues ride in the same getMany as their records.
  const queues = [...new Set(order.map((i) => ready[i]!.key[1] as string))];
  const gateReads = queues.map((q) => gateKeys(q, registry.get(q)?.settings ?? null));
  const found = await store.db.getMany<unknown>([
    ...order.map((i) => keys.job(ready[i]!.value)),
    ...gateReads.flat(),
  ]);
  const gates = new Map<string, QueueGate | null>();
  let offset = order.length;
  for (const [i, q] of queues.entries()) {
    const gate = gateFrom(
      q,
      registry.get(q)?.settings ?? null,
      found.slice(offset, offset += gateReads[i]!.length),
    );
    const seen = registry.get(q)?.versionstamp ?? null;
    // The settings changed since the registry was read: read it again for the next claim.
    if (gate === null || gate.settings.versionstamp !== seen) queueCache(store).invalidate();
    const leaving = (options.leaving ?? []).filter((j) => queueOf(j) === q).length;
    const verdict = gate === null ? null : gateVerdict(gate, options.now, leaving);
    if (verdict && !verdict.ok && verdict.reason === "rate") {
      queueCache(store).noteRetry(verdict.retryAt);
    }
    gates.set(q, verdict?.ok ? gate : null);
  }
  const out: Candidate[] = [];
  for (const [k, i] of order.entries()) {
    const entry = ready[i];
    const current = found[k] as Deno.KvEntryMaybe<Job> | undefined;
    const gate = entry ? gates.get(entry.key[1] as string) : null;
    if (!entry || !gate || !current?.value || current.value.state !== "pending") continue;
    out.push({ entry, current: current as Deno.KvEntry<Job>, gate });
  }
  return out;
}

/**
 * Adds to `tx` the claim of one candidate: checks of its `ready` entry and record, the move to
 * processing, and its open attempt record. Returns the job as it will be written. The claim's
 * metrics go to `metrics` (default: counter keys).
 */
export function addClaim(
  tx: Tx,
  candidate: Candidate,
  options: { workerId: string; now: number; metrics?: MetricSink; gate?: boolean },
): Job {
  const { entry, current } = candidate;
  const before = current.value;
  const after: Job = {
    ...before,
    state: "processing",
    attempts: before.attempts + 1,
    runs: before.runs + 1,
    seq: newId(options.now),
    worker: options.workerId,
    started_at: options.now,
    finished_at: null,
    updated_at: options.now,
  };
  const attempt: Attempt = {
    n: after.runs,
    worker: options.workerId,
    started_at: options.now,
    finished_at: null,
    exit_code: null,
    signal: null,
    outcome: null,
    error: null,
    duration_ms: null,
    output: null,
  };
  tx.check(entry.key, entry.versionstamp).check(current.key, current.versionstamp);
  // A batch claiming several jobs of a queue with no limit checks its record once.
  if (options.gate !== false) addGate(tx, candidate.gate, options.now);
  applyTransition(tx, before, after, { metrics: options.metrics });
  tx.set(keys.attempt(after.id, attempt.n), attempt);
  return after;
}
