/**
 * The completer of a worker process: it gathers the results its slots hand in and writes them
 * in batches (`store/finish_batch.ts`), each batch with the claims of the slots it frees. A
 * result waits at most `windowMs` for others, and not at all when no other slot is running a
 * command that could join it.
 *
 * @module
 */
import type { Claimed } from "../store/claim.ts";
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
  /** How many slots are running a command now (whose results could join a batch). */
  running: () => number;
  /** The longest a result waits for others, in ms. Default 2. */
  windowMs?: number;
}

interface Waiting {
  item: BatchItem;
  options: FinishOptions & { wantNext: boolean };
  resolve: (h: Handoff) => void;
  reject: (err: unknown) => void;
}

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
 * const completer = new Completer(store, { workerId: "w1", tally, running: () => 0 });
 * const { job, next } = await completer.submit(claimed, report, { now: Date.now(), settings, wantNext: true });
 * ```
 */
export class Completer {
  readonly #store: Store;
  readonly #opts: CompleterOptions;
  #waiting: Waiting[] = [];
  #timer: ReturnType<typeof setTimeout> | undefined;

  /** @param store the open store; @param options identity, tally, and how many slots run */
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
      if (this.#opts.running() === 0) this.#flushNow();
      else this.#timer ??= setTimeout(() => this.#flushNow(), this.#opts.windowMs ?? 2);
    });
  }

  #flushNow(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    const all = this.#waiting;
    this.#waiting = [];
    const claiming = all.some((w) => w.options.wantNext);
    let at = 0;
    for (const size of batchSizes(all.length, claiming)) {
      this.#write(all.slice(at, at += size)).catch(() => {});
    }
  }

  async #write(batch: Waiting[]): Promise<void> {
    const first = batch[0]!.options;
    try {
      const out = await finishBatch(this.#store, batch.map((w) => w.item), {
        now: Date.now(),
        settings: first.settings,
        hooks: first.hooks,
        tally: this.#opts.tally,
        workerId: this.#opts.workerId,
        claims: batch.filter((w) => w.options.wantNext).length,
        queues: this.#opts.queues,
        clock: Date.now,
      });
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
