/**
 * The ready entries a claim chooses from, across the queues a worker serves: the queues that
 * are paused, at their limit or over their rate are left out, and the first entries of each of
 * the others are listed (in parallel). On the common path (one `default` queue, no settings)
 * that is one list, as before queues.
 *
 * @module
 */
import { queueOf } from "../queue.ts";
import { keys } from "./keys.ts";
import type { Store } from "./open.ts";
import { allQueues, type QueueEntry } from "./queue_read.ts";
import { queueCache } from "./queue_registry.ts";
import { gateFrom, gateKeys, gateVerdict } from "./queue_gate.ts";

/** Options of {@linkcode readReadyWindow}. */
export interface WindowOptions {
  /** The clock reading. */
  now: number;
  /** How many entries to return at most. */
  window: number;
  /**
   * The queues served, in order of preference; absent: every queue, merged by priority then
   * age.
   */
  queues?: readonly string[];
  /** Jobs that leave `processing` in the claim's own op (a handoff's or a batch's ends). */
  leaving?: readonly { queue?: string }[];
}

/** The window, and the registry it was chosen by (its settings decide which gate keys to read). */
export interface ReadyWindow {
  /** Ready entries in the order the claim prefers them (priority, then age, per the rule). */
  entries: Deno.KvEntry<string>[];
  /** The registry as the cache held it. */
  registry: Map<string, QueueEntry>;
}

/**
 * Lists the ready window of the served queues that may start a job now. A queue with a limit
 * or a rate has its gate read beside the lists (one getMany), so a full or throttled queue is
 * skipped before its candidates are tried; when every served queue is throttled by its rate,
 * the store's {@linkcode queueCache} learns when the first may start again.
 *
 * @example
 * ```ts
 * import type { Store } from "./open.ts";
 * declare const store: Store;
 * const { entries } = await readReadyWindow(store, { now: Date.now(), window: 8 });
 * ```
 */
export async function readReadyWindow(store: Store, options: WindowOptions): Promise<ReadyWindow> {
  const { now, window } = options;
  const cache = queueCache(store);
  const registry = await cache.read(store, now);
  cache.retryAt = null;
  const served = options.queues ?? allQueues(registry);
  const active = served.filter((q) => registry.get(q)?.settings?.paused !== true);
  const gated = active.filter((q) => {
    const s = registry.get(q)?.settings;
    return s?.concurrency != null || s?.rate != null;
  });
  const gateReads = gated.map((q) => gateKeys(q, registry.get(q)?.settings ?? null));
  const [lists, gateEntries] = await Promise.all([
    Promise.all(
      active.map((q) => store.db.list<string>({ prefix: keys.readyIn(q) }, { limit: window })),
    ),
    gated.length === 0 ? [] : store.db.getMany<unknown>(gateReads.flat()),
  ]);
  const closed = new Set<string>();
  let offset = 0;
  const leaving = (q: string) => (options.leaving ?? []).filter((j) => queueOf(j) === q).length;
  for (const [i, q] of gated.entries()) {
    const read = gateEntries.slice(offset, offset += gateReads[i]!.length);
    const gate = gateFrom(q, registry.get(q)?.settings ?? null, read);
    if (gate === null) {
      cache.invalidate();
      continue;
    }
    const verdict = gateVerdict(gate, now, leaving(q));
    if (verdict.ok) continue;
    closed.add(q);
    if (verdict.reason === "rate") cache.noteRetry(verdict.retryAt);
  }
  const open = active.flatMap((q, i) => closed.has(q) ? [] : [lists[i]!]);
  if (options.queues) {
    // Preference order: the first served queue that has a job.
    return { entries: open.find((l) => l.length > 0) ?? [], registry };
  }
  if (open.length === 1) return { entries: open[0]!, registry };
  return { entries: open.flat().sort(byClaimOrder).slice(0, window), registry };
}

/** Priority (stored negated) then seq, across queues: the order one queue's listing has. */
function byClaimOrder(a: Deno.KvEntry<string>, b: Deno.KvEntry<string>): number {
  const pa = a.key[2] as number;
  const pb = b.key[2] as number;
  if (pa !== pb) return pa - pb;
  const [sa, sb] = [a.key[3] as string, b.key[3] as string];
  return sa < sb ? -1 : sa > sb ? 1 : 0;
}
