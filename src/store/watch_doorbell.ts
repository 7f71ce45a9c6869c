/**
 * The doorbell of a remote KV: a counter key that ringers bump and idle workers `watch`. Over
 * KV Connect a watch sees every client's writes, so a new job wakes workers on every host
 * within one server round trip. The wait stays bounded by the caller's poll, so a watch stream
 * that breaks (the server restarts) costs latency, never a job.
 *
 * @module
 */
import { type Db, Tx } from "./db.ts";
import { ListeningDoorbell } from "./doorbell.ts";
import { keys } from "./keys.ts";

/**
 * A doorbell on the `["doorbell"]` key.
 *
 * @example
 * ```ts
 * import type { Db } from "./db.ts";
 * declare const db: Db; // a remote store's handle
 * const bell = new WatchDoorbell(db);
 * bell.arm();
 * await bell.wait(500);
 * ```
 */
export class WatchDoorbell extends ListeningDoorbell {
  /** Rings travel as KV watch events. */
  readonly kind = "watch" as const;
  readonly #db: Db;
  #reader: ReadableStreamDefaultReader<Deno.KvEntryMaybe<unknown>[]> | null = null;
  #startedAt = 0;
  #closed = false;

  /** @param db the remote store's handle */
  constructor(db: Db) {
    super();
    this.#db = db;
  }

  /** Bumps the doorbell counter. Never throws: a missed ring costs one poll. */
  async ring(): Promise<void> {
    try {
      await this.#db.commit(new Tx().add(keys.doorbell, 1));
    } catch {
      // Workers fall back to polling.
    }
  }

  /** Stops watching the key. */
  protected stopListening(): void {
    this.#closed = true;
    this.#reader?.cancel().catch(() => {});
    this.#reader = null;
  }

  /** Opens the watch stream, unless it is open. */
  protected listen(): void {
    // A stream that ended is reopened, but at most once a second, so a broken server does not
    // turn into a tight reconnect loop.
    if (this.#reader || this.#closed || Date.now() - this.#startedAt < 1000) return;
    this.#startedAt = Date.now();
    let reader: ReadableStreamDefaultReader<Deno.KvEntryMaybe<unknown>[]>;
    try {
      reader = this.#db.watch([keys.doorbell]).getReader();
    } catch {
      return; // Polling still works.
    }
    this.#reader = reader;
    (async () => {
      // The first event is the current value. It counts as a ring: it may carry one that came
      // before the stream was up, and a spurious wake costs only one look.
      let seen: string | null | undefined = undefined;
      try {
        for (;;) {
          const next = await reader.read();
          if (next.done) break;
          const stamp = next.value[0]?.versionstamp ?? null;
          if (stamp !== seen) this.heard();
          seen = stamp;
        }
      } catch {
        // The stream broke; the next arm or wait reopens it.
      } finally {
        if (this.#reader === reader) this.#reader = null;
      }
    })();
  }
}
