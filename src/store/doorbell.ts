/**
 * Wakes idle workers when work arrives. On a local KV file, `kv.watch` does not see other
 * processes' writes, so the bell is a small file beside the database that enqueuers touch and
 * workers watch with inotify (`Deno.watchFs`): a new job starts within milliseconds without
 * tight polling. Without a file (a remote KV) the wait is a plain timeout.
 *
 * @module
 */

/**
 * A wake-up signal shared by the processes of one database.
 *
 * @example
 * ```ts
 * const bell = new Doorbell("/tmp/q.kv.wake");
 * await bell.ring();
 * await bell.wait(1000); // returns at once: the ring was seen
 * bell.close();
 * ```
 */
export class Doorbell {
  readonly #path: string | null;
  #watcher: Deno.FsWatcher | null = null;
  #rung = false;
  #wake: (() => void) | null = null;

  /** @param path the bell file, or null for none */
  constructor(path: string | null) {
    this.#path = path;
  }

  /** Tells waiting workers that there is work. Never throws: a missed ring costs one poll. */
  async ring(): Promise<void> {
    if (!this.#path) return;
    try {
      await Deno.writeFile(this.#path, new Uint8Array([1]), { mode: 0o600 });
    } catch {
      // Workers fall back to polling.
    }
  }

  /**
   * Forgets rings seen so far. Call it before looking for work, so that a ring that arrives
   * between the look and the wait is not lost.
   */
  arm(): void {
    this.#startWatching();
    this.#rung = false;
  }

  /** Waits until a ring, `ms` milliseconds, or `signal` aborts, whichever comes first. */
  wait(ms: number, signal?: AbortSignal): Promise<void> {
    this.#startWatching();
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

  /** Stops watching. */
  close(): void {
    this.#watcher?.close();
    this.#watcher = null;
    this.#wake?.();
  }

  #startWatching(): void {
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
        for await (const _event of watcher) {
          this.#rung = true;
          this.#wake?.();
        }
      } catch {
        // Closed.
      }
    })();
  }
}
