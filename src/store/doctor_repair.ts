/**
 * `doctor --repair`: rebuilding indexes and counters from the job records, from a quiet snapshot
 * (see `doctor.ts`), writing only while the counters still have the versionstamps it saw.
 *
 * @module
 */
import { JOB_STATES } from "../job.ts";
import type { Snapshot } from "../invariant_data.ts";
import { stateIndexSizes } from "../invariants.ts";
import { OperationError } from "../errors.ts";
import { Tx } from "./db.ts";
import { keys } from "./keys.ts";
import { indexKeys, lifetimeKeys } from "./transition.ts";
import type { Store } from "./open.ts";
import { keyText, readQuiet } from "./doctor_snapshot.ts";
import { releaseStragglers } from "./doctor_deps.ts";
import { deleteStrayUnique } from "./doctor_unique.ts";
import { queueCounts } from "../queue_invariants.ts";

/** Quiet snapshots tried by `repairStore` before it gives up. */
const REPAIR_ROUNDS = 10;

/**
 * Rebuilds indexes and counters from the job records: adds missing entries, removes stray
 * ones, sets every counter to its true value. Returns how many keys it changed. Each write is
 * fenced on the counters' versionstamps, so a job that changes state meanwhile makes it start
 * over rather than write from a stale view; a queue that never holds still makes it fail. Then
 * blocked jobs whose dependencies all ended, with nothing propagating, are moved on (see
 * `doctor_deps.ts`), and unique entries that hold nothing are deleted (`doctor_unique.ts`);
 * `options.now` (default: the clock) stamps and judges them.
 *
 * @example
 * ```ts
 * import type { Store } from "./open.ts";
 * declare const store: Store;
 * const changed = await repairStore(store);
 * ```
 */
export async function repairStore(store: Store, options: { now?: number } = {}): Promise<number> {
  let changed = await repairIndexes(store);
  const now = options.now ?? Date.now();
  changed += await releaseStragglers(store, { now });
  changed += await deleteStrayUnique(store, { now });
  return changed;
}

async function repairIndexes(store: Store): Promise<number> {
  let changed = 0;
  for (let round = 0; round < REPAIR_ROUNDS; round++) {
    const { snap, quiet, counterEntries } = await readQuiet(store);
    if (!quiet) continue;
    const done = await repairFrom(store, snap, counterEntries);
    changed += done.changed;
    if (done.complete) return changed;
  }
  throw new OperationError(
    "the queue kept changing while doctor --repair read it: stop the workers and run it again",
  );
}

async function repairFrom(
  store: Store,
  snap: Snapshot,
  fence: Deno.KvEntryMaybe<Deno.KvU64>[],
): Promise<{ changed: number; complete: boolean }> {
  const expected = new Map<string, { key: Deno.KvKey; id: string }>();
  for (const job of snap.jobs) {
    for (const key of [...indexKeys(job), ...lifetimeKeys(job)]) {
      expected.set(keyText(key), { key, id: job.id });
    }
  }
  const present = new Set(snap.index.map((e) => e.key));
  const fenced = () => {
    const t = new Tx();
    for (const e of fence) t.check(e.key, e.versionstamp);
    return t;
  };
  let tx = fenced();
  let changed = 0;
  let pending = 0;
  let complete = true;
  const flush = async () => {
    if (tx.empty || !complete) return;
    if (await store.db.commit(tx) === null) complete = false; // A job moved: start over.
    else changed += pending;
    pending = 0;
    tx = fenced();
  };
  const add = async (fn: (t: Tx) => void) => {
    if (tx.mutations.length >= 500) await flush();
    fn(tx);
    pending++;
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
  // Each queue's counters, set to its jobs per state (a counter of no job is set to 0).
  const actual = queueCounts(snap.jobs);
  for (const q of new Set([...actual.keys(), ...(snap.queueCounters?.keys() ?? [])])) {
    for (const state of JOB_STATES) {
      const want = actual.get(q)?.[state] ?? 0;
      if ((snap.queueCounters?.get(q)?.[state] ?? 0) === want) continue;
      await add((t) => t.set(keys.qcount(q, state), new Deno.KvU64(BigInt(want))));
    }
  }
  await flush();
  return { changed, complete };
}
