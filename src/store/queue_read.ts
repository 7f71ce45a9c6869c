/**
 * Reading the queues: the registry of `["queue", name]` settings records and the per-queue
 * counters, each listed in pages whatever their number, and the two together as `queue list`
 * shows them. Writing the records and the workers' cache of them is `queue_registry.ts`.
 *
 * @module
 */
import { JOB_STATES, type JobState } from "../job.ts";
import { DEFAULT_QUEUE, defaultSettings, type QueueSettings } from "../queue.ts";
import { keys } from "./keys.ts";
import type { Store } from "./open.ts";

/**
 * A queue's settings as read, with the versionstamp a claim checks (null: no record).
 *
 * @example
 * ```ts
 * const entry: QueueEntry = { settings: null, versionstamp: null };
 * ```
 */
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
 * One queue as `queue list` shows it.
 *
 * @example
 * ```ts
 * declare const status: QueueStatus;
 * console.log(status.settings.name, status.counts.pending);
 * ```
 */
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
