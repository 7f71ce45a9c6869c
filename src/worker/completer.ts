/**
 * The completer of a worker process: it gathers the results its slots hand in and writes them
 * in batches (`store/finish_batch.ts`), each batch with the claims of the slots it frees. This
 * is a group commit with no timer: a result is written at once when no write is under way, and
 * the results handed in while one is go together in the next. A result never waits for others
 * that may come, which cost a slot up to the whole wait per job when they did not; under load
 * the batches form by themselves.
 *
 * While a batch commits it reads the next batch's candidates, so that one commits without
 * reading first: one commit per batch on the slots' path, its reads beside the previous commit. A read older than
 * {@linkcode AHEAD_MAX_AGE_MS} is dropped (a job enqueued since, with a higher priority, would
 * be passed over), and one gone stale fails its checks and is read again (`finish_batch.ts`).
 *
 * @module
 */
import { type Candidate, type Claimed, CONTENDED_MS, readCandidates } from "../store/claim.ts";
import type { AttemptReport, FinishOptions } from "../store/finish.ts";
import { type BatchItem, finishBatch, limited } from "../store/finish_batch.ts";
import type { Handoff } from "../store/handoff.ts";
import type { MetricTally } from "../store/metric_tally.ts";
import type { Store } from "../store/open.ts";

/** Options of {@linkcode Completer}. */
export interface CompleterOptions {
  /** The worker process's id. */
  workerId: string;
  /** Its metric tally. */
  tally: MetricTally;
  /** The queues served, for the claims; absent: all. */
  queues?: readonly string[];
  /** How many of the process's slots run a command now (their results are still to come). */
  running?: () => number;
}

/** Candidates read for later batches: the read, when it began, and the jobs claimed since. */
interface Pool {
  at: number;
  read: Promise<Candidate[]>;
  taken: Set<string>;
}

interface Waiting {
  item: BatchItem;
  options: FinishOptions & { wantNext: boolean };
  resolve: (h: Handoff) => void;
  reject: (err: unknown) => void;
}

/** The oldest read-ahead of candidates a batch uses, in ms. */
export const AHEAD_MAX_AGE_MS = 100;

/**
 * How many records a read for later batches fetches (with the queue's gate key, within the 10
 * keys of one remote `getMany`): a drain's batches then read once per few of them, not each.
 */
export const POOL_READ = 8;

/**
 * Until when a completer counts as contended, once a batch's candidates failed a check at `now`
 * after the last failure at `lastStale` (pure). Other workers then claim from the same head of
 * the queue, and a pool of read candidates would fail again and again. A single failure (a claim
 * of this process's own start-up racing its pool) does not count: only a second within
 * {@linkcode CONTENDED_MS}, which holds for that long after.
 *
 * @example
 * ```ts
 * contendedUntil(-Infinity, 5000, -Infinity); // -Infinity: a first failure
 * contendedUntil(4000, 5000, -Infinity); // 7000: a second within 2 s
 * ```
 */
export function contendedUntil(lastStale: number, now: number, until: number): number {
  return now - lastStale <= CONTENDED_MS ? Math.max(until, now + CONTENDED_MS) : until;
}

/** A commit slower than this (a moving average, in ms) makes a lone result wait for partners. */
export const SLOW_COMMIT_MS = 10;

/** The longest a result waits for partners, in ms. */
export const MAX_LINGER_MS = 5;

/**
 * How long a batch of `waiting` results waits for more before it commits (pure): not at all
 * while commits are fast, since a result then never waits for partners that may not come. Over
 * a link where each commit takes tens of ms (a KV Connect server that reads a large body late,
 * as denokv does with Deno's client: docs/SCALING.md), two slots would otherwise take turns, one
 * result per commit; a wait of an eighth of a commit, at most {@linkcode MAX_LINGER_MS}, lets a
 * slot still `running` join, so each commit carries a pair.
 *
 * @example
 * ```ts
 * lingerMs(2, 1, 1); // 0: fast commits
 * lingerMs(40, 1, 1); // 5
 * lingerMs(40, 2, 1); // 0: the pair is full
 * lingerMs(40, 1, 0); // 0: no slot is running
 * ```
 */
export function lingerMs(commitMs: number, waiting: number, running: number): number {
  if (commitMs < SLOW_COMMIT_MS || running === 0 || waiting >= ENDS_WITH_CLAIMS) return 0;
  return Math.min(MAX_LINGER_MS, commitMs / 8);
}

/** How many ends go in one batch over KV Connect when each also claims: 2 and 2 fit 10 checks. */
export const ENDS_WITH_CLAIMS = 2;

/**
 * How many ends go in one batch when each also claims, within `maxChecks` checks an operation
 * (pure): one for the tally, one an end, two a claim, and one more for the first claim's queue.
 * Over KV Connect (10) that is a pair; on a local file (100) it is capped at 16, so that a busy
 * process of many slots writes its round of results in one commit rather than in pairs that take
 * turns (each commit also fsyncs the database).
 *
 * @example
 * ```ts
 * endsWithClaims(10); // 2
 * endsWithClaims(100); // 16
 * ```
 */
export function endsWithClaims(maxChecks: number): number {
  return Math.max(1, Math.min(16, Math.floor((maxChecks - 2) / 3)));
}

/**
 * How `waiting` results split into batches of an operation of `maxChecks` checks (pure): while
 * they claim, {@linkcode endsWithClaims} at once; else up to 32 ends (9 over KV Connect).
 *
 * @example
 * ```ts
 * batchSizes(5, true, 10); // [2, 2, 1]
 * batchSizes(5, false, 10); // [5]
 * batchSizes(20, true, 100); // [16, 4]
 * ```
 */
export function batchSizes(waiting: number, claiming: boolean, maxChecks: number): number[] {
  const size = claiming ? endsWithClaims(maxChecks) : Math.min(32, maxChecks - 1);
  const out: number[] = [];
  for (let left = waiting; left > 0; left -= size) out.push(Math.min(size, left));
  return out;
}

/**
 * Gathers results and writes them in batches; `submit()` resolves with the job as written and
 * the next job claimed for the submitting slot (or null).
 *
 * @example
 * ```ts
 * import type { AttemptReport, Claimed, MetricTally, Store } from "../store/mod.ts";
 * import type { RetrySettings } from "../retry_policy.ts";
 * declare const store: Store;
 * declare const tally: MetricTally;
 * declare const claimed: Claimed;
 * declare const report: AttemptReport;
 * declare const settings: RetrySettings;
 * const completer = new Completer(store, { workerId: "w1", tally });
 * const { job, next } = await completer.submit(claimed, report, { now: Date.now(), settings, wantNext: true });
 * ```
 */
export class Completer {
  readonly #store: Store;
  readonly #opts: CompleterOptions;
  #waiting: Waiting[] = [];
  #writing = false;
  /** Candidates not claimed yet: read while an earlier batch committed, and when that began. */
  #pool: Pool | null = null;
  /** When a batch's candidates last failed a check. */
  #staleAt = -Infinity;
  /** Until when reads fetch only what a pair needs and keep nothing: see {@linkcode contendedUntil}. */
  #contendedUntil = -Infinity;
  /** A moving average of the batches' commit times, in ms. */
  #commitMs = 0;
  /** Ends a wait for partners early, once a pair is waiting. */
  #partnerCame: (() => void) | null = null;

  /** @param store the open store; @param options identity, tally and queues served */
  constructor(store: Store, options: CompleterOptions) {
    this.#store = store;
    this.#opts = options;
  }

  /** Hands in one result; resolves once it is written (or refused). */
  submit(
    claimed: Claimed,
    report: AttemptReport,
    options: FinishOptions & { wantNext: boolean },
  ): Promise<Handoff> {
    return new Promise<Handoff>((resolve, reject) => {
      this.#waiting.push({ item: { claimed, report }, options, resolve, reject });
      if (!this.#writing) this.#drain();
      else if (this.#waiting.length >= ENDS_WITH_CLAIMS) this.#partnerCame?.();
    });
  }

  /** Writes what is waiting, then what came in meanwhile, until nothing waits. */
  async #drain(): Promise<void> {
    this.#writing = true;
    try {
      // Results handed in during this same turn of the event loop go in the first batch.
      await Promise.resolve();
      while (this.#waiting.length > 0) {
        await this.#linger();
        const all = this.#waiting;
        this.#waiting = [];
        const claims = all.filter((w) => w.options.wantNext).length;
        const pool = claims > 0 ? await this.#takePool() : null;
        // The jobs this round claims are left out of the pool when it is used again.
        const taken = new Set<string>();
        if (claims > 0) this.#refill(pool, claims, taken);
        let at = 0;
        await Promise.all(
          batchSizes(all.length, claims > 0, this.#store.db.maxChecks).map((size, i) => {
            const batch = all.slice(at, at += size);
            // Too few kept for the first batch's claims: it reads its own, as the others do.
            const wanted = batch.filter((w) => w.options.wantNext).length;
            const kept = i === 0 && (pool?.candidates.length ?? 0) >= wanted;
            return this.#write(batch, taken, kept ? pool!.candidates : undefined);
          }),
        );
      }
    } finally {
      this.#writing = false;
    }
  }

  /** Waits for partners as {@linkcode lingerMs} says, ending early once a pair is waiting. */
  async #linger(): Promise<void> {
    const ms = lingerMs(this.#commitMs, this.#waiting.length, this.#opts.running?.() ?? 0);
    if (ms <= 0) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.#partnerCame = done;
    });
    this.#partnerCame = null;
  }

  /**
   * Keeps what this round leaves of `pool` for the next one, or, when that would not cover a
   * pair's claims, reads more while this round commits: one read serves several batches. A
   * larger batch (many slots on a local file) that finds too few kept reads its own.
   */
  #refill(
    pool: { at: number; candidates: Candidate[] } | null,
    claims: number,
    taken: Set<string>,
  ) {
    const left = (pool?.candidates.length ?? 0) - claims;
    if (pool && left >= ENDS_WITH_CLAIMS && Date.now() >= this.#contendedUntil) {
      // A limited queue's gate moves with each of its claims: its candidates are read afresh.
      const kept = pool.candidates.filter((c) => !limited(c));
      this.#pool = { at: pool.at, read: Promise.resolve(kept), taken };
    } else {
      this.#pool = { at: Date.now(), read: this.#read(claims), taken };
    }
  }

  /**
   * Reads candidates for later batches' claims: {@linkcode POOL_READ} records (in claim order),
   * once the `taking` jobs the batch committing now claims are left out (each record read costs
   * a deserialisation). In queue order, not spread: once the jobs claimed meanwhile are left out,
   * the first left must be the oldest, so that a lone slot still starts equal priorities in FIFO
   * order. Under contention (a batch's candidates went stale lately) only what a pair needs.
   */
  #read(taking: number): Promise<Candidate[]> {
    const contended = Date.now() < this.#contendedUntil;
    const fetch = Math.max(taking + ENDS_WITH_CLAIMS, contended ? 0 : POOL_READ);
    return readCandidates(this.#store, {
      workerId: this.#opts.workerId,
      now: Date.now(),
      random: () => 0,
      queues: this.#opts.queues,
      fetch,
    }).catch(() => []);
  }

  /** The pool, once, if it is fresh enough, without the jobs claimed since it was read. */
  async #takePool(): Promise<{ at: number; candidates: Candidate[] } | null> {
    const pool = this.#pool;
    this.#pool = null;
    if (!pool || Date.now() - pool.at > AHEAD_MAX_AGE_MS) return null;
    const read = await pool.read;
    return { at: pool.at, candidates: read.filter((c) => !pool.taken.has(c.current.value.id)) };
  }

  async #write(batch: Waiting[], taken: Set<string>, candidates?: Candidate[]): Promise<void> {
    const first = batch[0]!.options;
    try {
      const began = performance.now();
      const out = await finishBatch(this.#store, batch.map((w) => w.item), {
        candidates,
        now: Date.now(),
        settings: first.settings,
        hooks: first.hooks,
        tally: this.#opts.tally,
        workerId: this.#opts.workerId,
        claims: batch.filter((w) => w.options.wantNext).length,
        queues: this.#opts.queues,
        clock: Date.now,
      });
      this.#commitMs = 0.8 * this.#commitMs + 0.2 * (performance.now() - began);
      for (const n of out.next) taken.add(n.job.id);
      // What was read with stale candidates is stale too; under contention nothing is kept.
      if (out.stale) {
        const now = Date.now();
        this.#contendedUntil = contendedUntil(this.#staleAt, now, this.#contendedUntil);
        this.#staleAt = now;
        if (this.#pool?.taken === taken) this.#pool = null;
      }
      const next = [...out.next];
      for (const [i, w] of batch.entries()) {
        const job = out.jobs[i] ?? null;
        w.resolve({ job, next: w.options.wantNext ? next.shift() ?? null : null });
      }
    } catch (err) {
      for (const w of batch) w.reject(err);
    }
  }
}
