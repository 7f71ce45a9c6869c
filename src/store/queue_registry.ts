/**
 * The queue registry: `["queue", name]` settings records. Made by the first enqueue into a named
 * queue (in its own small operation before the jobs, see {@linkcode ensureQueues}) or by
 * `queue set`/`pause`/`resume`, and read by workers through a short-lived cache.
 *
 * @module
 */
import { type Job, JOB_STATES, type JobState } from "../job.ts";
import { UsageError } from "../errors.ts";
import { DEFAULT_QUEUE, defaultSettings, queueOf, type QueueSettings } from "../queue.ts";
import { Tx } from "./tx.ts";
import { keys } from "./keys.ts";
import type { Store } from "./open.ts";

/** A queue's settings as read, with the versionstamp a claim checks (null: no record). */
export interface QueueEntry {
  /** The settings (a queue without a record has none: no limit, rate or pause). */
  settings: QueueSettings | null;
  /** The record's versionstamp, or null when there is none. */
  versionstamp: string | null;
}

/**
 * Every queue's settings record, by name, in name order.
 *
 * @example
 * ```ts
 * import type { Store } from "./open.ts";
 * declare const store: Store;
 * const registry = await readQueueRegistry(store);
 * ```
 */
export async function readQueueRegistry(store: Store): Promise<Map<string, QueueEntry>> {
  const out = new Map<string, QueueEntry>();
  let start: Deno.KvKey | undefined;
  for (;;) {
    const page = await store.db.list<QueueSettings>(
      start ? { prefix: keys.queues, start } : { prefix: keys.queues },
      { limit: 1000 },
    );
    for (const e of page) {
      out.set(String(e.key[1]), { settings: e.value, versionstamp: e.versionstamp });
    }
    if (page.length < 1000) return out;
    start = [...page[page.length - 1]!.key, ""];
  }
}

/**
 * The queues a worker serving all of them looks at: `default`, then every registered one.
 *
 * @example
 * ```ts
 * allQueues(new Map([["mail", { settings: null, versionstamp: null }]])); // ["default", "mail"]
 * ```
 */
export function allQueues(registry: ReadonlyMap<string, QueueEntry>): string[] {
  return [DEFAULT_QUEUE, ...[...registry.keys()].filter((q) => q !== DEFAULT_QUEUE)];
}

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

/** One queue as `queue list` shows it. */
export interface QueueStatus {
  /** The queue's settings (a queue without a record: the defaults). */
  settings: QueueSettings;
  /** Its jobs in each state, from its counters. */
  counts: Record<JobState, number>;
}

/**
 * Every queue (`default` first, then by name) with its settings and its counters: one list of
 * the registry and one of the counters, whatever the number of jobs.
 *
 * @example
 * ```ts
 * import type { Store } from "./open.ts";
 * declare const store: Store;
 * const queues = await listQueues(store);
 * ```
 */
export async function listQueues(store: Store): Promise<QueueStatus[]> {
  const [registry, counters] = await Promise.all([
    readQueueRegistry(store),
    readQueueCounts(store),
  ]);
  const names = new Set([...allQueues(registry), ...counters.keys()]);
  const out: QueueStatus[] = [];
  for (const name of names) {
    out.push({
      settings: registry.get(name)?.settings ?? defaultSettings(name, 0),
      counts: counters.get(name) ?? zeroCounts(),
    });
  }
  return out.sort((a, b) =>
    a.settings.name === DEFAULT_QUEUE
      ? -1
      : b.settings.name === DEFAULT_QUEUE
      ? 1
      : a.settings.name < b.settings.name
      ? -1
      : 1
  );
}

/**
 * Every queue's counters, by queue then state (states absent from the map count 0).
 *
 * @example
 * ```ts
 * import type { Store } from "./open.ts";
 * declare const store: Store;
 * const counts = await readQueueCounts(store); // Map { "build" => { pending: 2, ... } }
 * ```
 */
export async function readQueueCounts(
  store: Store,
): Promise<Map<string, Record<JobState, number>>> {
  const out = new Map<string, Record<JobState, number>>();
  let start: Deno.KvKey | undefined;
  for (;;) {
    const page = await store.db.list<Deno.KvU64>(
      start ? { prefix: keys.qcounts(), start } : { prefix: keys.qcounts() },
      { limit: 1000 },
    );
    for (const e of page) {
      const queue = String(e.key[1]);
      const counts = out.get(queue) ?? zeroCounts();
      out.set(queue, counts);
      const v = e.value.value;
      // A counter that wrapped below zero would be a bug; show it as 0 rather than 2^64.
      counts[e.key[2] as JobState] = v > 2n ** 63n ? 0 : Number(v);
    }
    if (page.length < 1000) return out;
    start = [...page[page.length - 1]!.key, ""];
  }
}

function zeroCounts(): Record<JobState, number> {
  return Object.fromEntries(JOB_STATES.map((s) => [s, 0])) as Record<JobState, number>;
}
