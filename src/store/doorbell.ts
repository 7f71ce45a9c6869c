/**
 * Wakes idle workers when work arrives. The worker loop sees only the {@linkcode Doorbell}
 * interface; `openStore` picks the mechanism. On a local KV file, `kv.watch` does not see other
 * processes' writes, so the bell is a small file beside the database that enqueuers touch and
 * workers watch with inotify (`Deno.watchFs`): a new job starts within milliseconds without
 * tight polling. On a remote KV the bell is a key that workers `watch` (`watch_doorbell.ts`).
 *
 * @module
 */

/** How a doorbell carries its rings: a watched file, a watched KV key, or nothing (polling). */
export type DoorbellKind = "inotify" | "watch" | "none";

/**
 * A wake-up signal shared by the processes of one database. A missed ring costs one poll, never
 * a job: every wait is bounded by the caller's timeout.
 */
export interface Doorbell {
  /** How rings travel. */
  readonly kind: DoorbellKind;
  /** Tells waiting workers that there is work. Never throws. */
  ring(): Promise<void>;
  /**
   * Forgets rings seen so far. Call it before looking for work, so that a ring that arrives
   * between the look and the wait is not lost.
   */
  arm(): void;
  /** Waits until a ring, `ms` milliseconds, or `signal` aborts, whichever comes first. */
  wait(ms: number, signal?: AbortSignal): Promise<void>;
  /** Stops listening. */
  close(): void;
}

/**
 * What every listening doorbell shares: it starts listening on first use, remembers a ring that
 * came while nobody waited, and wakes the one waiter. Subclasses say how rings are sent and
 * heard.
 */
export abstract class ListeningDoorbell implements Doorbell {
  /** How rings travel. */
  abstract readonly kind: DoorbellKind;
  #rung = false;
  #wake: (() => void) | null = null;

  /** Tells waiting workers that there is work. Never throws. */
  abstract ring(): Promise<void>;

  /** Starts listening, if not yet (called on every arm and wait, so it must be cheap). */
  protected abstract listen(): void;

  /** Stops listening. */
  protected abstract stopListening(): void;

  /** Records a ring that was heard and wakes the waiter, if any. */
  protected heard(): void {
    this.#rung = true;
    this.#wake?.();
  }

  /** Starts listening (once) and forgets rings seen so far. */
  arm(): void {
    this.listen();
    this.#rung = false;
  }

  /** Waits until a ring, `ms` milliseconds, or `signal` aborts, whichever comes first. */
  wait(ms: number, signal?: AbortSignal): Promise<void> {
    this.listen();
    if (this.#rung || signal?.aborted) {
      this.#rung = false;
      return Promise.resolve();
    }
    return new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        signal?.removeEventListener("abort", done);
        this.#wake = null;
        this.#rung = false;
        resolve();
      };
      const timer = setTimeout(done, Math.max(0, ms));
      signal?.addEventListener("abort", done, { once: true });
      this.#wake = done;
    });
  }

  /** Stops listening and releases the waiter. */
  close(): void {
    this.stopListening();
    this.#wake?.();
  }
}

/**
 * A doorbell file watched with inotify, for the processes of one host sharing a KV file.
 *
 * @example
 * ```ts
 * const bell = new FileDoorbell("/tmp/q.kv.wake");
 * await bell.ring();
 * await bell.wait(1000); // returns at once: the ring was seen
 * bell.close();
 * ```
 */
export class FileDoorbell extends ListeningDoorbell {
  readonly #path: string | null;
  readonly #onlyWhenWatched: boolean;
  #watcher: Deno.FsWatcher | null = null;

  /**
   * @param path the bell file, or null for none (plain polling)
   * @param options `onlyWhenWatched`: ring only when the file exists, that is while a listener
   * made it and has not closed (default false). A ring then costs one failed stat while nobody
   * listens, which is how the end of every job can ring `queuectl wait` without slowing the
   * workers. The listener removes the file when it closes; another listener still waiting hears
   * the removal, and its next arm makes the file again.
   */
  constructor(path: string | null, options: { onlyWhenWatched?: boolean } = {}) {
    super();
    this.#path = path;
    this.#onlyWhenWatched = options.onlyWhenWatched ?? false;
  }

  /** "inotify", or "none" without a file. */
  get kind(): DoorbellKind {
    return this.#path ? "inotify" : "none";
  }

  /** Touches the bell file. Never throws: a missed ring costs one poll. */
  async ring(): Promise<void> {
    if (!this.#path) return;
    try {
      // A touch, sync: 3 µs when the file exists, where writing it took a trip through Deno's
      // blocking pool (200 µs per ring here) before the watchers could hear anything.
      const now = new Date();
      Deno.utimeSync(this.#path, now, now);
      return;
    } catch {
      // No file: nobody listens yet (or, for a bell rung only while watched, nobody at all).
    }
    if (this.#onlyWhenWatched) return;
    try {
      await Deno.writeFile(this.#path, new Uint8Array([1]), { mode: 0o600 });
    } catch {
      // Workers fall back to polling.
    }
  }

  /** Stops watching the file (and removes it, for a bell rung only while watched). */
  protected stopListening(): void {
    if (this.#watcher && this.#onlyWhenWatched && this.#path) {
      try {
        Deno.removeSync(this.#path);
      } catch {
        // Gone already.
      }
    }
    this.#watcher?.close();
    this.#watcher = null;
  }

  /** Watches the file with inotify, once. */
  protected listen(): void {
    if (this.#watcher || !this.#path) return;
    try {
      Deno.writeFileSync(this.#path, new Uint8Array(), { append: true, mode: 0o600 });
      this.#watcher = Deno.watchFs(this.#path, { recursive: false });
    } catch {
      return; // Polling still works.
    }
    const watcher = this.#watcher;
    (async () => {
      try {
        for await (const event of watcher) {
          this.heard();
          // Another listener closed and removed the file: the next arm makes it again.
          if (event.kind === "remove" && this.#watcher === watcher) {
            this.#watcher = null;
            watcher.close();
          }
        }
      } catch {
        // Closed.
      }
    })();
  }
}
