/**
 * Committing a stream of batches (a bulk enqueue) with SQLite's thread kept busy.
 *
 * @module
 */
import { ConflictError } from "../errors.ts";
import type { Db, Tx } from "./db.ts";

/**
 * Sends batches in order, with up to two commits in flight. Each batch is staged (its values
 * serialised) before waiting, and the next commit is already queued when the last one ends, so
 * SQLite's thread does not wait for the main thread: raw Deno KV on this VM wrote 22–26k
 * pending jobs/s with one commit in flight and 32–36k with two (bench, 23:25 UTC).
 *
 * Batches without checks are independent, and commutative counter sums are all they share, so
 * two of them may land in either order (a "database is locked" retry can reorder them). A batch
 * with checks (caller-chosen ids) waits for every earlier one and goes alone, so a failed check
 * knows exactly how many jobs were stored before it.
 *
 * @example
 * ```ts
 * import type { Store } from "./open.ts";
 * import type { Tx } from "./tx.ts";
 * declare const store: Store;
 * declare const tx: Tx; // one batch of 300 enqueued jobs
 * const pipe = new CommitPipeline(store.db, (n) => console.log(n));
 * await pipe.push(tx, 300);
 * await pipe.finish();
 * ```
 */
export class CommitPipeline {
  readonly #db: Db;
  readonly #onStored: (stored: number, ids: readonly string[]) => void;
  #inFlight: Promise<void>[] = [];
  #stored = 0;

  /**
   * `onStored` hears the number of jobs stored so far after each commit, and the ids of the
   * batch when `push` was given them.
   */
  constructor(db: Db, onStored: (stored: number, ids: readonly string[]) => void = () => {}) {
    this.#db = db;
    this.#onStored = onStored;
  }

  /** Queues `tx`, a batch of `jobs` new jobs (with `ids`); resolves once it is in flight. */
  async push(tx: Tx, jobs: number, ids: readonly string[] = []): Promise<void> {
    const alone = tx.checks.length > 0;
    const commit = this.#db.stage(tx);
    await this.#settle(alone ? 0 : 1);
    const sent = this.#send(commit, jobs, ids);
    sent.catch(() => {}); // Awaited by #settle; never an unhandled rejection.
    this.#inFlight.push(sent);
    if (alone) await this.#settle(0);
  }

  /** Waits for every commit; throws the first failure. */
  finish(): Promise<void> {
    return this.#settle(0);
  }

  async #send(
    commit: () => Promise<string | null>,
    jobs: number,
    ids: readonly string[],
  ): Promise<void> {
    if (!await commit()) {
      throw new ConflictError(
        `enqueue failed: a job id was taken meanwhile (${this.#stored} jobs stored before it)`,
      );
    }
    this.#stored += jobs;
    this.#onStored(this.#stored, ids);
  }

  /** Waits until at most `max` commits are in flight; on a failure, for all of them. */
  async #settle(max: number): Promise<void> {
    while (this.#inFlight.length > max) {
      const first = this.#inFlight.shift()!;
      try {
        await first;
      } catch (err) {
        await Promise.allSettled(this.#inFlight.splice(0));
        throw err;
      }
    }
  }
}
