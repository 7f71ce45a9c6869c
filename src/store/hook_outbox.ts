/**
 * The finish-hook outbox: entries `["hook", seq, id]` written by final transitions while a hook
 * is configured (`applyTransition`'s `hooks` option), claimed by workers, and deleted once the
 * hook has run (with its counts). A worker that dies mid-hook leaves a claim that lapses, and
 * another worker runs the hook again: at least once.
 *
 * @module
 */
import type { Job } from "../job.ts";
import { minuteOf } from "../metrics.ts";
import { Tx } from "./db.ts";
import { keys } from "./keys.ts";
import type { Store } from "./open.ts";
import type { HookEntry } from "./hook_entry.ts";

/**
 * A hook this worker claimed: the entry's key and versionstamp as claimed, and the job as it
 * ended.
 *
 * @example
 * ```ts
 * declare const claimed: ClaimedHook;
 * claimed.job.state; // "completed", "dead" or "canceled"
 * ```
 */
export interface ClaimedHook {
  /** The outbox entry's key. */
  key: Deno.KvKey;
  /** The entry's versionstamp after this worker's claim. */
  versionstamp: string;
  /** The job as its final transition wrote it. */
  job: Job;
}

/** Options of {@linkcode claimHooks}. */
export interface ClaimHooksOptions {
  /** The claiming worker's id. */
  worker: string;
  /** The clock reading the claims are judged and stamped with. */
  now: number;
  /** How long a claim lasts: longer than the slowest hook with all its tries. */
  leaseMs: number;
  /** At most this many claims. */
  limit: number;
}

/**
 * Claims up to `options.limit` outbox entries, oldest first, that nobody holds (or whose claim
 * lapsed), each in one atomic operation that checks the entry's versionstamp: two workers never
 * both claim one entry while its claim lasts.
 *
 * @example
 * ```ts
 * import type { Store } from "./open.ts";
 * declare const store: Store;
 * const hooks = await claimHooks(store, {
 *   worker: "h:1:1",
 *   now: Date.now(),
 *   leaseMs: 60_000,
 *   limit: 4,
 * });
 * ```
 */
export async function claimHooks(
  store: Store,
  options: ClaimHooksOptions,
): Promise<ClaimedHook[]> {
  if (options.limit <= 0) return [];
  // More than the limit, so that entries other workers hold (four each) do not hide free ones.
  const entries = await store.db.list<HookEntry>({ prefix: keys.hooksAll }, {
    limit: Math.max(options.limit * 4, 64),
  });
  const free = entries.filter((e) => e.value.claimed_until <= options.now).slice(0, options.limit);
  const claims = await Promise.all(free.map(async (e) => {
    const value: HookEntry = {
      ...e.value,
      claimed_by: options.worker,
      claimed_until: options.now + options.leaseMs,
    };
    const tx = new Tx().check(e.key, e.versionstamp).set(e.key, value);
    const versionstamp = await store.db.commit(tx);
    return versionstamp === null ? null : { key: e.key, versionstamp, job: e.value.job };
  }));
  return claims.filter((c): c is ClaimedHook => c !== null);
}

/**
 * Deletes a claimed entry once its hook has run, and counts the hook runs that succeeded and
 * failed (`hook_ok`, `hook_failed` in this minute's metrics) in the same atomic operation. Returns
 * false, counting nothing, when the claim had lapsed and another worker took the entry.
 *
 * @example
 * ```ts
 * import type { Store } from "./open.ts";
 * declare const store: Store;
 * declare const claimed: ClaimedHook;
 * await finishHook(store, claimed, { now: Date.now(), ok: 1, failed: 0 });
 * ```
 */
export async function finishHook(
  store: Store,
  claimed: ClaimedHook,
  options: { now: number; ok: number; failed: number },
): Promise<boolean> {
  const minute = minuteOf(options.now);
  const tx = new Tx()
    .check(claimed.key, claimed.versionstamp)
    .delete(claimed.key)
    .add(keys.metricMinute(minute, "hook_ok"), options.ok)
    .add(keys.metricMinute(minute, "hook_failed"), options.failed);
  return await store.db.commit(tx) !== null;
}

/**
 * How many outbox entries are waiting, up to `limit` (for `doctor` and tests).
 *
 * @example
 * ```ts
 * import type { Store } from "./open.ts";
 * declare const store: Store;
 * await countHooks(store); // 0 when every hook has run
 * ```
 */
export async function countHooks(store: Store, limit = 1000): Promise<number> {
  return (await store.db.list<HookEntry>({ prefix: keys.hooksAll }, { limit })).length;
}
