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
import { type Candidate, type Claimed, readCandidates } from "../store/claim.ts";
import type { AttemptReport, FinishOptions } from "../store/finish.ts";
import { type BatchItem, finishBatch } from "../store/finish_batch.ts";
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
}

interface Waiting {
  item: BatchItem;
  options: FinishOptions & { wantNext: boolean };
  resolve: (h: Handoff) => void;
  reject: (err: unknown) => void;
}

/** The oldest read-ahead of candidates a batch uses, in ms. */
export const AHEAD_MAX_AGE_MS = 100;

/** How many ends go in one batch when each also claims: 2 ends + 2 claims fit 10 checks. */
export const ENDS_WITH_CLAIMS = 2;

/**
 * How `waiting` results split into batches (pure): pairs while they claim (2 ends and 2 claims
 * fit the 10 checks of an operation), else up to 9 ends at once.
 *
 * @example
 * ```ts
 * batchSizes(5, true); // [2, 2, 1]
 * batchSizes(5, false); // [5]
 * ```
 */
export function batchSizes(waiting: number, claiming: boolean): number[] {
  const size = claiming ? ENDS_WITH_CLAIMS : 9;
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
  /** Candidates read while the last batch committed, when that began, and what it claimed. */
  #ahead: { at: number; read: Promise<Candidate[]>; taken: Set<string> } | null = null;

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
    });
  }

  /** Writes what is waiting, then what came in meanwhile, until nothing waits. */
  async #drain(): Promise<void> {
    this.#writing = true;
    try {
      // Results handed in during this same turn of the event loop go in the first batch.
      await Promise.resolve();
      while (this.#waiting.length > 0) {
        const all = this.#waiting;
        this.#waiting = [];
        const claiming = all.some((w) => w.options.wantNext);
        const ahead = claiming ? this.#takeAhead() : undefined;
        // The next batch's candidates are read while this one commits. The jobs this one
        // claims may still be in that read: they are left out when it is used.
        const taken = new Set<string>();
        if (claiming) {
          const claims = all.filter((w) => w.options.wantNext).length;
          this.#ahead = { at: Date.now(), read: this.#read(claims), taken };
        }
        let at = 0;
        await Promise.all(
          batchSizes(all.length, claiming).map((size, i) =>
            this.#write(all.slice(at, at += size), taken, i === 0 ? ahead : undefined)
          ),
        );
      }
    } finally {
      this.#writing = false;
    }
  }

  /**
   * Reads candidates for a later batch's claims: enough for a pair, once the `taking` jobs the
   * batch committing now claims are left out (each record read costs a deserialisation). In
   * queue order, not spread: once the jobs claimed meanwhile are left out, the first left must be
   * the oldest, so that a lone slot still starts equal priorities in FIFO order.
   */
  #read(taking: number): Promise<Candidate[]> {
    return readCandidates(this.#store, {
      workerId: this.#opts.workerId,
      now: Date.now(),
      random: () => 0,
      queues: this.#opts.queues,
      fetch: taking + ENDS_WITH_CLAIMS,
    }).catch(() => []);
  }

  /** The read-ahead, once, if it is fresh enough, without the jobs claimed since it began. */
  async #takeAhead(): Promise<Candidate[] | undefined> {
    const ahead = this.#ahead;
    this.#ahead = null;
    if (!ahead || Date.now() - ahead.at > AHEAD_MAX_AGE_MS) return undefined;
    return (await ahead.read).filter((c) => !ahead.taken.has(c.current.value.id));
  }

  async #write(
    batch: Waiting[],
    taken: Set<string>,
    ahead?: Promise<Candidate[] | undefined>,
  ): Promise<void> {
    const first = batch[0]!.options;
    try {
      const out = await finishBatch(this.#store, batch.map((w) => w.item), {
        candidates: await ahead,
        now: Date.now(),
        settings: first.settings,
        hooks: first.hooks,
        tally: this.#opts.tally,
        workerId: this.#opts.workerId,
        claims: batch.filter((w) => w.options.wantNext).length,
        queues: this.#opts.queues,
        clock: Date.now,
      });
      for (const n of out.next) taken.add(n.job.id);
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
