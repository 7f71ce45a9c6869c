/**
 * Reading a whole-database snapshot for the invariant checker (`doctor.ts`) and for repair
 * (`doctor_repair.ts`), walking the keyspace in pages within the remote limits.
 *
 * A snapshot takes many reads, so on a live queue it can mix a job's old record with its new
 * index entries. Every state change moves a counter in the same atomic operation, so a snapshot
 * during which no counter's versionstamp changed is consistent: that is a *quiet* snapshot,
 * which {@linkcode readQuiet} retries for.
 *
 * @module
 */
import { type Job, JOB_STATES, type JobState } from "../job.ts";
import type { Snapshot, WorkerView } from "../invariant_data.ts";
import { REMOTE_LIMITS } from "./db.ts";
import { keys } from "./keys.ts";
import type { Store } from "./open.ts";
import type { WorkerRecord } from "./workers.ts";
import type { UniqueEntry } from "../unique.ts";
import type { QueueSettings } from "../queue.ts";

const INDEX_PREFIXES: Deno.KvKey[] = [
  keys.readyAll,
  keys.scheduledAll,
  ["state"],
  keys.labels,
  keys.createdAll,
];
/** Snapshots tried before the checker falls back to re-checking each suspect. */
const QUIET_TRIES = 5;

/**
 * Every entry under `prefix`, read in pages of at most 1,000.
 *
 * @example
 * ```ts
 * import type { Store } from "./open.ts";
 * declare const store: Store;
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

/**
 * Encodes a key for comparison.
 *
 * @example
 * ```ts
 * keyText(["job", "a1"]); // '["job","a1"]'
 * ```
 */
export function keyText(key: Deno.KvKey): string {
  return JSON.stringify(key);
}

/**
 * A snapshot, and whether no job changed state while it was read.
 *
 * @example
 * ```ts
 * import type { Store } from "./open.ts";
 * declare const store: Store;
 * const { snap, quiet }: ReadResult = await readQuiet(store);
 * ```
 */
export interface ReadResult {
  snap: Snapshot;
  quiet: boolean;
  /** The counter entries read first (their versionstamps fence a repair). */
  counterEntries: Deno.KvEntryMaybe<Deno.KvU64>[];
}

/**
 * Reads everything the invariants speak about, retrying (up to `tries` times) until no counter
 * changed while it read, so the result is consistent even on a live queue. `quiet` says whether
 * that succeeded.
 *
 * @example
 * ```ts
 * import type { Store } from "./open.ts";
 * declare const store: Store;
 * const { snap, quiet } = await readQuiet(store);
 * if (!quiet) console.log(`mixed snapshot of ${snap.jobs.length} jobs`);
 * ```
 */
export async function readQuiet(store: Store, tries = QUIET_TRIES): Promise<ReadResult> {
  for (let attempt = 1;; attempt++) {
    const before = await readCounters(store);
    const snap = await readOnce(store, before);
    const after = await readCounters(store);
    const quiet = stamps(before) === stamps(after);
    if (quiet || attempt >= tries) return { snap, quiet, counterEntries: before };
    await new Promise((r) => setTimeout(r, 5 + Math.random() * 20));
  }
}

function readCounters(store: Store): Promise<Deno.KvEntryMaybe<Deno.KvU64>[]> {
  return store.db.getMany<Deno.KvU64>(JOB_STATES.map((s) => keys.count(s)));
}

function stamps(entries: Deno.KvEntryMaybe<unknown>[]): string {
  return entries.map((e) => e.versionstamp ?? "-").join(",");
}

async function readOnce(
  store: Store,
  counts: Deno.KvEntryMaybe<Deno.KvU64>[],
): Promise<Snapshot> {
  const jobs: Job[] = [];
  for await (const e of scan<Job>(store, keys.jobs)) jobs.push(e.value);
  const index: Snapshot["index"] = [];
  for (const prefix of INDEX_PREFIXES) {
    for await (const e of scan<string>(store, prefix)) {
      index.push({ key: keyText(e.key), id: e.value });
    }
  }
  const counters = Object.fromEntries(
    JOB_STATES.map((s, i) => [s, Number(counts[i]?.value?.value ?? 0n)]),
  ) as Record<JobState, number>;
  const workers = new Map<string, WorkerView>();
  for await (const e of scan<WorkerRecord>(store, keys.workers)) {
    const { heartbeat_at, host, pid } = e.value;
    workers.set(e.value.id, { heartbeat_at, host, pid });
  }
  const envs = new Set<string>();
  for await (const e of scan(store, keys.envs())) envs.add(String(e.key[1]));
  const envRefs = new Map<string, number>();
  for await (const e of scan<Deno.KvU64>(store, keys.envRefsAll)) {
    envRefs.set(String(e.key[1]), Number(e.value.value));
  }
  const inFlight = new Set<string>();
  for await (const e of scan(store, keys.depDoneAll)) inFlight.add(String(e.key[1]));
  const unique = new Map<string, UniqueEntry>();
  for await (const e of scan<UniqueEntry>(store, keys.uniqueAll)) {
    unique.set(String(e.key[1]), e.value);
  }
  const queueCounters = new Map<string, Partial<Record<JobState, number>>>();
  for await (const e of scan<Deno.KvU64>(store, keys.qcounts())) {
    const q = String(e.key[1]);
    queueCounters.set(q, {
      ...queueCounters.get(q),
      [e.key[2] as JobState]: Number(e.value.value),
    });
  }
  const queues = new Map<string, QueueSettings>();
  for await (const e of scan<QueueSettings>(store, keys.queues)) {
    queues.set(String(e.key[1]), e.value);
  }
  return { jobs, index, counters, workers, envs, envRefs, inFlight, unique, queueCounters, queues };
}

/**
 * Reads everything the invariants speak about. On a live queue it retries a few times for a
 * snapshot during which no job changed state; a busy queue may still yield a mixed one.
 *
 * @example
 * ```ts
 * import type { Store } from "./open.ts";
 * declare const store: Store;
 * const { jobs, counters } = await readSnapshot(store);
 * ```
 */
export async function readSnapshot(store: Store): Promise<Snapshot> {
  return (await readQuiet(store)).snap;
}
