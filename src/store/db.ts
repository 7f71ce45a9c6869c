/**
 * The thin wrapper every store operation goes through. It owns what no caller should think
 * about: retrying SQLite's "database is locked", and the per-operation limits of a remote KV
 * (enforced everywhere in strict mode, so local tests catch what remote would refuse). The
 * operation being built is a {@linkcode Tx} (`tx.ts`).
 *
 * @module
 */
import { LimitError, OperationError } from "../errors.ts";
import { isLocked, kvLimitError, wrapKvError } from "./db_errors.ts";
import type { Tx } from "./tx.ts";

export { isLocked } from "./db_errors.ts";
export { Tx } from "./tx.ts";

/** The limits of a KV Connect server; local SQLite allows more, but the same code runs on both. */
export const REMOTE_LIMITS = {
  /** Checks per atomic operation. */
  checks: 10,
  /** Mutations per atomic operation. */
  mutations: 1000,
  /** Total key + value bytes per atomic operation (800 KiB), with a margin for encoding. */
  bytes: 800 * 1024 - 4096,
  /** Keys per `getMany`. */
  getMany: 10,
  /** Entries per `list` call. */
  listLimit: 1000,
} as const;

/** Options of {@linkcode Db}. */
export interface DbOptions {
  /** Refuse operations beyond the remote limits even on a local file. Default false. */
  strict?: boolean;
  /** How long "database is locked" is retried before giving up, in ms. Default 30000. */
  lockedRetryMs?: number;
  /**
   * The longest one call may take, in ms; 0 for no limit (the default). A remote client retries
   * a server that is down forever, so remote stores set one: a dead server then fails the call
   * with one clear error instead of hanging it.
   */
  timeoutMs?: number;
  /** What to call the database in errors (its path or URL). Default "the database". */
  name?: string;
  /**
   * Why the handle was opened read-only, if it was: every write then fails at once with an
   * OperationError that says so, instead of SQLite's "attempt to write a readonly database".
   */
  readOnly?: string;
}

/**
 * Deno KV behind retries and limit checks. Only the store layer holds one.
 *
 * @example
 * ```ts
 * const db = new Db(await Deno.openKv(":memory:"));
 * const tx = new Tx().set(["config", "max_retries"], 5);
 * console.log(await db.commit(tx)); // "00000000000000010000"
 * ```
 */
export class Db {
  /** The raw handle, for `watch` and `close` only. */
  readonly kv: Deno.Kv;
  readonly #strict: boolean;
  readonly #lockedRetryMs: number;
  readonly #timeoutMs: number;
  readonly #name: string;
  readonly #readOnly: string | null;

  /** Wraps an open KV handle. */
  constructor(kv: Deno.Kv, options: DbOptions = {}) {
    this.kv = kv;
    this.#strict = options.strict ?? false;
    this.#lockedRetryMs = options.lockedRetryMs ?? 30_000;
    this.#timeoutMs = options.timeoutMs ?? 0;
    this.#name = options.name ?? "the database";
    this.#readOnly = options.readOnly ?? null;
  }

  /** True when operations beyond the remote limits are refused. */
  get strict(): boolean {
    return this.#strict;
  }

  /** The most checks one atomic operation may have here: 10 when strict (remote), else 100. */
  get maxChecks(): number {
    return this.#strict ? REMOTE_LIMITS.checks : 100;
  }

  /**
   * Streams the entries of `keyList` (at most 10): first their current values, then each change.
   * Over KV Connect this sees every writer; on a local file only this process's own writes.
   */
  watch(keyList: Deno.KvKey[]): ReadableStream<Deno.KvEntryMaybe<unknown>[]> {
    if (keyList.length > REMOTE_LIMITS.getMany) {
      throw new LimitError(
        `database limit: watch takes at most ${REMOTE_LIMITS.getMany} keys, got ${keyList.length}`,
      );
    }
    return this.kv.watch(keyList) as ReadableStream<Deno.KvEntryMaybe<unknown>[]>;
  }

  /** Reads one key. */
  get<T>(key: Deno.KvKey): Promise<Deno.KvEntryMaybe<T>> {
    return this.#retry(() => this.kv.get<T>(key));
  }

  /** Reads up to 10 keys in one round trip (more are split into several). */
  async getMany<T>(keyList: Deno.KvKey[]): Promise<Deno.KvEntryMaybe<T>[]> {
    const out: Deno.KvEntryMaybe<T>[] = [];
    for (let i = 0; i < keyList.length; i += REMOTE_LIMITS.getMany) {
      const part = keyList.slice(i, i + REMOTE_LIMITS.getMany);
      out.push(...await this.#retry(() => this.kv.getMany<T[]>(part)));
    }
    return out;
  }

  /** Lists up to `limit` entries (at most 1,000) of a selector, collected into an array. */
  list<T>(
    selector: Deno.KvListSelector,
    options: { limit: number; reverse?: boolean },
  ): Promise<Deno.KvEntry<T>[]> {
    const limit = Math.min(options.limit, REMOTE_LIMITS.listLimit);
    return this.#retry(async () => {
      const out: Deno.KvEntry<T>[] = [];
      const iter = this.kv.list<T>(selector, { limit, reverse: options.reverse, batchSize: limit });
      for await (const entry of iter) out.push(entry);
      return out;
    });
  }

  /**
   * Commits `tx` atomically and returns its versionstamp, or null when a check failed (someone
   * else changed what was read; the caller decides whether to re-read). Throws only on limits (a
   * LimitError) or a dead database.
   */
  async commit(tx: Tx): Promise<string | null> {
    // Inside the async function, so a refused operation rejects the promise like any other
    // failure instead of throwing before the caller holds a promise.
    this.#assertWritable();
    this.#assertLimits(tx);
    return await this.#send(tx, null);
  }

  /**
   * Builds `tx`'s atomic operation now, serialising its values, and returns the function that
   * commits it (as {@linkcode Db.commit} does). A bulk writer stages the next batch while the
   * last one is being written: serialisation takes the main thread, and SQLite's own thread
   * would otherwise wait for it.
   */
  stage(tx: Tx): () => Promise<string | null> {
    let error: unknown = null;
    let op: Deno.AtomicOperation | null = null;
    try {
      this.#assertWritable();
      this.#assertLimits(tx);
      op = this.#build(tx);
    } catch (err) {
      // Building outside #retry: Deno KV's own size checks are turned into LimitError here.
      error = kvLimitError(err) ?? err;
    }
    return () => error === null ? this.#send(tx, op) : Promise.reject(error);
  }

  /** Commits `first` (or `tx` built afresh); a retry after "database is locked" rebuilds it. */
  #send(tx: Tx, first: Deno.AtomicOperation | null): Promise<string | null> {
    let op = first;
    return this.#retry(async () => {
      const current = op ?? this.#build(tx);
      op = null;
      const res = await current.commit();
      return res.ok ? res.versionstamp : null;
    });
  }

  #build(tx: Tx): Deno.AtomicOperation {
    const op = this.kv.atomic();
    for (const c of tx.checks) op.check(c);
    for (const m of tx.mutations) {
      if (m.type === "set") op.set(m.key, m.value);
      else if (m.type === "delete") op.delete(m.key);
      else if (m.type === "sum") op.sum(m.key, m.n);
      else op.max(m.key, m.n);
    }
    return op;
  }

  /** Writes one key without checks (chunks of output, heartbeats). */
  set(key: Deno.KvKey, value: unknown): Promise<void> {
    try {
      this.#assertWritable();
    } catch (err) {
      return Promise.reject(err);
    }
    return this.#retry(async () => {
      await this.kv.set(key, value);
    });
  }

  /** Closes the handle; further calls fail. */
  close(): void {
    try {
      this.kv.close();
    } catch {
      // Closing twice is harmless.
    }
  }

  #assertWritable(): void {
    if (this.#readOnly === null) return;
    throw new OperationError(
      `cannot write to ${this.#name}: it could only be opened for reading (${this.#readOnly})`,
    );
  }

  #assertLimits(tx: Tx): void {
    const checkLimit = this.maxChecks;
    if (tx.checks.length > checkLimit || tx.mutations.length > REMOTE_LIMITS.mutations) {
      throw new LimitError(
        `database limit: atomic operation too large: ${tx.checks.length} checks ` +
          `(at most ${checkLimit}), ${tx.mutations.length} mutations ` +
          `(at most ${REMOTE_LIMITS.mutations})`,
      );
    }
    if (this.#strict && tx.bytes > REMOTE_LIMITS.bytes) {
      throw new LimitError(
        `database limit: atomic operation too large: about ${tx.bytes} bytes ` +
          `(at most ${REMOTE_LIMITS.bytes})`,
      );
    }
  }

  async #retry<T>(fn: () => Promise<T>): Promise<T> {
    const deadline = Date.now() + this.#lockedRetryMs;
    // SQLite answers "locked" at once (not after its busy wait) when a write meets another
    // writer's fresh commit, which is over within a millisecond: the first retry is immediate,
    // later ones back off with jitter so that competing processes stop colliding.
    let delay = 0;
    for (;;) {
      try {
        return await this.#withDeadline(fn());
      } catch (err) {
        if (!isLocked(err) || Date.now() > deadline) throw wrapKvError(err);
        await new Promise((r) => setTimeout(r, delay * (0.5 + Math.random())));
        delay = Math.min(Math.max(1, delay * 2), 100);
      }
    }
  }

  #withDeadline<T>(work: Promise<T>): Promise<T> {
    if (this.#timeoutMs <= 0) return work;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        reject(
          new OperationError(
            `${this.#name} did not answer within ${formatMs(this.#timeoutMs)} (is the server up?)`,
          ),
        );
      }, this.#timeoutMs);
    });
    return Promise.race([work, late]).finally(() => clearTimeout(timer));
  }
}

/** "10s" or "1500ms". */
function formatMs(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`;
}
