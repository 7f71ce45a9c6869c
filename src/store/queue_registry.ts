/**
 * The queue registry: `["queue", name]` settings records. Made by the first enqueue into a named
 * queue (in its own small operation before the jobs, see {@linkcode ensureQueues}) or by
 * `queue set`/`pause`/`resume`, and read by workers through a short-lived cache (kept here, as
 * every write forgets it). Listing the records and counters is `queue_read.ts`.
 *
 * @module
 */
import type { Job } from "../job.ts";
import { UsageError } from "../errors.ts";
import { DEFAULT_QUEUE, defaultSettings, queueOf, type QueueSettings } from "../queue.ts";
import { Tx } from "./tx.ts";
import { keys } from "./keys.ts";
import type { Store } from "./open.ts";
import { type QueueEntry, readQueueRegistry } from "./queue_read.ts";

/**
 * A worker's view of the registry, read again when older than `maxAgeMs` (a heartbeat) or
 * after {@linkcode QueueCache.invalidate} (a doorbell, or a claim that saw a record change). It
 * only steers which queues are listed: every claim still reads and checks the record itself.
 *
 * @example
 * ```ts
 * import type { Store } from "./open.ts";
 * declare const store: Store;
 * const registry = await queueCache(store).read(store, Date.now());
 * ```
 */
export class QueueCache {
  /** How long a reading is used, in ms. */
  maxAgeMs = 1000;
  /** The earliest time a rate-throttled queue may start again, as last seen (or null). */
  retryAt: number | null = null;
  #registry: Map<string, QueueEntry> | null = null;
  #at = 0;

  /** The registry, read again if stale. */
  async read(store: Store, now: number): Promise<Map<string, QueueEntry>> {
    if (this.#registry === null || now - this.#at >= this.maxAgeMs || now < this.#at) {
      this.#registry = await readQueueRegistry(store);
      this.#at = now;
    }
    return this.#registry;
  }

  /** Forgets the reading: the next claim reads the registry again. */
  invalidate(): void {
    this.#registry = null;
  }

  /** Whether `queue` has a concurrency limit, as last read (false before any read). */
  limited(queue: string): boolean {
    return this.#registry?.get(queue)?.settings?.concurrency != null;
  }

  /** Notes when a throttled queue may start again (the earliest such time is kept). */
  noteRetry(at: number): void {
    if (this.retryAt === null || at < this.retryAt) this.retryAt = at;
  }
}

const caches = new WeakMap<Store, QueueCache>();

/**
 * The registry cache of one open store (shared by the claims made through it).
 *
 * @example
 * ```ts
 * import type { Store } from "./open.ts";
 * declare const store: Store;
 * queueCache(store).invalidate();
 * ```
 */
export function queueCache(store: Store): QueueCache {
  let cache = caches.get(store);
  if (!cache) caches.set(store, cache = new QueueCache());
  return cache;
}

/**
 * Rings the doorbell when a commit freed room in a queue with a concurrency limit: more of its
 * jobs left `processing` (`ended`) than entered it (`started`). A worker holding slots back at
 * that limit, in another process or on another host, then claims at once instead of at its next
 * poll. Queues without a limit ring nothing: their jobs never wait for room.
 *
 * @example
 * ```ts
 * import type { Job } from "../job.ts";
 * import type { Store } from "./open.ts";
 * declare const store: Store;
 * declare const done: Job;
 * await ringIfRoomFreed(store, [done], []);
 * ```
 */
export async function ringIfRoomFreed(
  store: Store,
  ended: readonly Job[],
  started: readonly Job[],
): Promise<void> {
  const cache = queueCache(store);
  const room = new Map<string, number>();
  for (const j of ended) room.set(queueOf(j), (room.get(queueOf(j)) ?? 0) + 1);
  for (const j of started) room.set(queueOf(j), (room.get(queueOf(j)) ?? 0) - 1);
  for (const [q, n] of room) {
    if (n > 0 && cache.limited(q)) return await store.doorbell.ring();
  }
}

/**
 * Makes the settings record of each named queue that has none (no limit, rate or pause), each
 * in one atomic op that checks the record is absent, so settings made meanwhile are never
 * overwritten; a lost race means another writer made it, which is what was wanted. The enqueue
 * that follows stores its jobs on its own: a creation race can never fail it, or look like a
 * duplicate job id. `default` needs no record.
 *
 * @example
 * ```ts
 * import type { Store } from "./open.ts";
 * declare const store: Store;
 * await ensureQueues(store, ["build"], Date.now());
 * ```
 */
export async function ensureQueues(
  store: Store,
  names: Iterable<string>,
  now: number,
): Promise<void> {
  const wanted = [...new Set(names)].filter((q) => q !== DEFAULT_QUEUE);
  if (wanted.length === 0) return;
  const found = await store.db.getMany<QueueSettings>(wanted.map((q) => keys.queue(q)));
  const missing = wanted.filter((_, i) => found[i]?.value === null);
  await Promise.all(missing.map(async (q) => {
    const tx = new Tx().check(keys.queue(q), null).set(keys.queue(q), defaultSettings(q, now));
    await store.db.commit(tx);
  }));
  if (missing.length > 0) queueCache(store).invalidate();
}

/** Options of {@linkcode updateQueue}. */
export interface UpdateQueueOptions {
  /** The clock reading to stamp the change with. */
  now: number;
  /**
   * Refuse (UsageError) a queue that has no record and is not `default`, rather than make one:
   * `queue pause` of a name nobody used is a typo.
   */
  mustExist?: boolean;
}

/**
 * Changes a queue's settings in one atomic op that checks the record read (absent or not), read
 * and decided again after a lost race; rings the doorbell so idle workers look again. Returns
 * the settings written.
 *
 * @example
 * ```ts
 * import type { Store } from "./open.ts";
 * declare const store: Store;
 * await updateQueue(store, "mail", (s) => ({ ...s, paused: true }), { now: Date.now() });
 * ```
 */
export async function updateQueue(
  store: Store,
  name: string,
  change: (settings: QueueSettings) => QueueSettings,
  options: UpdateQueueOptions,
): Promise<QueueSettings> {
  for (;;) {
    const current = await store.db.get<QueueSettings>(keys.queue(name));
    if (current.value === null && options.mustExist && name !== DEFAULT_QUEUE) {
      throw new UsageError(`unknown queue "${name}" (see queuectl queue list)`);
    }
    const before = current.value ?? defaultSettings(name, options.now);
    const after = { ...change(before), name, updated_at: options.now };
    const tx = new Tx().check(keys.queue(name), current.versionstamp).set(keys.queue(name), after);
    if (await store.db.commit(tx) === null) continue;
    queueCache(store).invalidate();
    await store.doorbell.ring();
    return after;
  }
}
