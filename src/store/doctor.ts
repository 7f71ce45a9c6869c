/**
 * Reading a whole-database snapshot for the invariant checker, and repairing indexes and
 * counters from the job records. Both walk the keyspace in pages within the remote limits.
 *
 * @module
 */
import { type Job, JOB_STATES, type JobState } from "../job.ts";
import { findViolations, type Snapshot, stateIndexSizes, type Violation } from "../invariants.ts";
import { REMOTE_LIMITS, Tx } from "./db.ts";
import { keys } from "./keys.ts";
import { indexKeys } from "./transition.ts";
import type { Store } from "./open.ts";
import type { WorkerRecord } from "./workers.ts";

const INDEX_PREFIXES: Deno.KvKey[] = [keys.readyAll, keys.scheduledAll, ["state"]];

/**
 * Every entry under `prefix`, read in pages of at most 1,000.
 *
 * @example
 * ```ts
 * for await (const e of scan(store, ["job"])) console.log(e.key);
 * ```
 */
export async function* scan<T>(store: Store, prefix: Deno.KvKey): AsyncGenerator<Deno.KvEntry<T>> {
  let start: Deno.KvKey | undefined;
  for (;;) {
    const page = await store.db.list<T>(start ? { prefix, start } : { prefix }, {
      limit: REMOTE_LIMITS.listLimit,
    });
    yield* page;
    if (page.length < REMOTE_LIMITS.listLimit) return;
    start = [...page[page.length - 1]!.key, ""] as Deno.KvKey;
  }
}

/** Encodes a key for comparison. */
export function keyText(key: Deno.KvKey): string {
  return JSON.stringify(key);
}

/**
 * Reads everything the invariants speak about. Not atomic across pages: run it on a quiet queue
 * for an exact answer (a busy one may show transient counter differences).
 */
export async function readSnapshot(store: Store): Promise<Snapshot> {
  const jobs: Job[] = [];
  for await (const e of scan<Job>(store, keys.jobs)) jobs.push(e.value);
  const index: Snapshot["index"] = [];
  for (const prefix of INDEX_PREFIXES) {
    for await (const e of scan<string>(store, prefix)) {
      index.push({ key: keyText(e.key), id: e.value });
    }
  }
  const counts = await store.db.getMany<Deno.KvU64>(JOB_STATES.map((s) => keys.count(s)));
  const counters = Object.fromEntries(
    JOB_STATES.map((s, i) => [s, Number(counts[i]?.value?.value ?? 0n)]),
  ) as Record<JobState, number>;
  const workers = new Map<string, number>();
  for await (const e of scan<WorkerRecord>(store, keys.workers)) {
    workers.set(e.value.id, e.value.heartbeat_at);
  }
  return { jobs, index, counters, workers };
}

/**
 * Checks the invariants of the database.
 *
 * @example
 * ```ts
 * const problems = await checkStore(store, { now: Date.now(), leaseMs: 10_000 });
 * ```
 */
export async function checkStore(
  store: Store,
  options: { now: number; leaseMs: number },
): Promise<{ violations: Violation[]; jobs: number }> {
  const snap = await readSnapshot(store);
  const violations = findViolations(snap, {
    ...options,
    expectedKeys: (job) => indexKeys(job).map(keyText),
  });
  return { violations, jobs: snap.jobs.length };
}

/**
 * Rebuilds indexes and counters from the job records: adds missing entries, removes stray
 * ones, sets every counter to its true value. Returns how many keys it changed. Run it with
 * the workers stopped.
 *
 * @example
 * ```ts
 * const changed = await repairStore(store);
 * ```
 */
export async function repairStore(store: Store): Promise<number> {
  const snap = await readSnapshot(store);
  const expected = new Map<string, { key: Deno.KvKey; id: string }>();
  for (const job of snap.jobs) {
    for (const key of indexKeys(job)) expected.set(keyText(key), { key, id: job.id });
  }
  const present = new Set(snap.index.map((e) => e.key));
  let tx = new Tx();
  let changed = 0;
  const flush = async () => {
    if (!tx.empty) await store.db.commit(tx);
    tx = new Tx();
  };
  const add = async (fn: (t: Tx) => void) => {
    if (tx.mutations.length >= 500) await flush();
    fn(tx);
    changed++;
  };
  for (const [text, { key, id }] of expected) {
    if (!present.has(text)) await add((t) => t.set(key, id));
  }
  for (const e of snap.index) {
    if (!expected.has(e.key)) await add((t) => t.delete(JSON.parse(e.key) as Deno.KvKey));
  }
  const sizes = stateIndexSizes(snap);
  for (const state of JOB_STATES) {
    if (snap.counters[state] !== sizes[state]) {
      await add((t) => t.set(keys.count(state), new Deno.KvU64(BigInt(sizes[state]))));
    }
  }
  await flush();
  return changed;
}
