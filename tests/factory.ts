/**
 * Fixture factory for the store and policy unit tests: job specs, job records, attempt reports
 * and worker records with overrides, a real KV file in a fresh temp folder per test, a spy that
 * records how close each KV call comes to the remote limits, and an invariant checker that
 * every store test runs at its end.
 *
 * @module
 */
import { deepStrictEqual, ok } from "node:assert/strict";
import { join } from "node:path";
import { type Attempt, type Job, JOB_STATES, type JobState } from "../src/job.ts";
import type { JobSpec } from "../src/spec.ts";
import type { RetrySettings } from "../src/retry_policy.ts";
import { Db } from "../src/store/db.ts";
import { enqueueJobs, newJob } from "../src/store/enqueue.ts";
import { type Claimed, claimNext } from "../src/store/claim.ts";
import type { AttemptReport } from "../src/store/finish.ts";
import { keys } from "../src/store/keys.ts";
import { openStore, type Store } from "../src/store/open.ts";
import { indexKeys } from "../src/store/transition.ts";
import { queueOf } from "../src/queue.ts";
import { putWorker, type WorkerRecord } from "../src/store/workers.ts";

/** A fixed clock reading the tests start from: 2026-01-01T00:00:00Z. */
export const T0 = Date.UTC(2026, 0, 1);

/** Retry settings of the default configuration: base 2 s, at most one hour. */
export const SETTINGS: RetrySettings = Object.freeze({ backoff_base: 2, backoff_max: 3_600_000 });

/** A validated job spec: `true`, priority 0, no timeout, plus `overrides`. */
export function spec(overrides: Partial<JobSpec> = {}): JobSpec {
  return { command: "true", priority: 0, timeout: null, ...overrides };
}

/** A new job record (as enqueue builds it at `now`, default T0), plus `overrides`. */
export function job(overrides: Partial<Job> = {}, now = T0): Job {
  return { ...newJob(spec(), { now, maxRetries: 3 }), ...overrides };
}

/** The report of a finished attempt: success unless `overrides` say otherwise. */
export function report(overrides: Partial<AttemptReport> = {}): AttemptReport {
  return {
    outcome: "succeeded",
    exit_code: 0,
    error: null,
    signal: null,
    duration_ms: 5,
    output: null,
    ...overrides,
  };
}

/** The report of an attempt that exited with `code`. */
export function failure(code = 1, overrides: Partial<AttemptReport> = {}): AttemptReport {
  return report({ outcome: "failed", exit_code: code, error: `exit code ${code}`, ...overrides });
}

/** A worker registry entry on host `test-host`, beating at T0, plus `overrides`. */
export function workerRecord(overrides: Partial<WorkerRecord> = {}): WorkerRecord {
  return {
    id: "w1",
    pid: 4242,
    host: "test-host",
    state: "busy",
    job: null,
    job_pgid: null,
    started_at: T0,
    heartbeat_at: T0,
    processed: 0,
    supervisor: null,
    ...overrides,
  };
}

/** What a limit spy saw: the largest request of each kind any single KV call made. */
export interface LimitStats {
  /** Most checks in one atomic operation. */
  checks: number;
  /** Most mutations in one atomic operation. */
  mutations: number;
  /** Most keys in one `getMany`. */
  getMany: number;
  /** Largest `limit` of one `list` (Infinity when a list had none). */
  list: number;
  /** Atomic operations committed. */
  commits: number;
  /** `list` calls made. */
  lists: number;
}

/** A store in a fresh temp folder; disposing it closes the store and removes the folder. */
export type TempStore = Store & AsyncDisposable & {
  /** The temp folder. */
  dir: string;
  /** The KV file. */
  path: string;
  /** Largest requests seen so far (only with `spy: true`). */
  stats: LimitStats;
};

/**
 * Opens a real KV file in a fresh temp folder. Strict (remote) limits are on unless
 * `strict: false`, so every test also proves its operation fits a KV Connect server. With
 * `spy: true` the raw handle is wrapped to record the largest checks/getMany/list it gets.
 *
 * @example
 * ```ts
 * await using store = await tempStore();
 * ```
 */
export async function tempStore(
  options: { strict?: boolean; spy?: boolean } = {},
): Promise<TempStore> {
  const dir = await Deno.makeTempDir({ prefix: "queuectl-unit-" });
  const path = join(dir, "queue.kv");
  const strict = options.strict ?? true;
  const store = await openStore(path, { strict });
  const stats: LimitStats = { checks: 0, mutations: 0, getMany: 0, list: 0, commits: 0, lists: 0 };
  if (options.spy) store.db = new Db(limitSpy(store.db.kv, stats), { strict });
  let closed = false;
  return Object.assign(store, {
    dir,
    path,
    stats,
    async [Symbol.asyncDispose]() {
      if (!closed) store.close();
      closed = true;
      await Deno.remove(dir, { recursive: true }).catch(() => {});
    },
  });
}

/**
 * Opens a second, independent handle (its own `Deno.openKv`) on the same file as `store`.
 *
 * @example
 * ```ts
 * await using store = await tempStore();
 * await using other = await reopen(store);
 * ```
 */
export async function reopen(store: TempStore): Promise<Store & AsyncDisposable> {
  const other = await openStore(store.path, { strict: true });
  return Object.assign(other, {
    [Symbol.asyncDispose]: () => Promise.resolve(other.close()),
  });
}

const UNSPIED = Symbol("unspied");

/** The KV handle behind a limit spy (or the handle itself), so fixtures' reads are not counted. */
function rawKv(store: Store): Deno.Kv {
  const kv = store.db.kv as Deno.Kv & { [UNSPIED]?: Deno.Kv };
  return kv[UNSPIED] ?? kv;
}

function limitSpy(kv: Deno.Kv, stats: LimitStats): Deno.Kv {
  return new Proxy(kv, {
    get(target, prop) {
      if (prop === UNSPIED) return target;
      if (prop === "getMany") {
        return (keyList: Deno.KvKey[], opts?: { consistency?: Deno.KvConsistencyLevel }) => {
          stats.getMany = Math.max(stats.getMany, keyList.length);
          return target.getMany(keyList, opts);
        };
      }
      if (prop === "list") {
        return (selector: Deno.KvListSelector, opts?: Deno.KvListOptions) => {
          stats.list = Math.max(stats.list, opts?.limit ?? Infinity);
          stats.lists++;
          return target.list(selector, opts);
        };
      }
      if (prop === "atomic") return () => atomicSpy(target.atomic(), stats);
      const value = Reflect.get(target, prop, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}

function atomicSpy(op: Deno.AtomicOperation, stats: LimitStats): Deno.AtomicOperation {
  let checks = 0;
  let mutations = 0;
  const spy: Deno.AtomicOperation = new Proxy(op, {
    get(target, prop) {
      const value = Reflect.get(target, prop, target);
      if (typeof value !== "function") return value;
      return (...args: unknown[]) => {
        if (prop === "check") checks += args.length;
        if (prop === "set" || prop === "delete" || prop === "sum") mutations++;
        if (prop === "commit") {
          stats.checks = Math.max(stats.checks, checks);
          stats.mutations = Math.max(stats.mutations, mutations);
          stats.commits++;
        }
        const result = value.apply(target, args);
        return result === target ? spy : result;
      };
    },
  });
  return spy;
}

/**
 * Enqueues `specs` at `now` (default T0) with max_retries 3 unless a spec says otherwise.
 *
 * @example
 * ```ts
 * await using store = await tempStore();
 * const [a, b] = await enqueue(store, [spec(), spec({ priority: 5 })]);
 * ```
 */
export function enqueue(store: Store, specs: JobSpec | JobSpec[], now = T0): Promise<Job[]> {
  return enqueueJobs(store, Array.isArray(specs) ? specs : [specs], { now, maxRetries: 3 });
}

/**
 * Enqueues one job and claims it as `workerId` at `now`; fails if anything else was claimed.
 *
 * @example
 * ```ts
 * await using store = await tempStore();
 * const claimed = await enqueueAndClaim(store, spec({ id: "a", max_retries: 0 }));
 * ```
 */
export async function enqueueAndClaim(
  store: Store,
  jobSpec: JobSpec = spec(),
  options: { workerId?: string; now?: number } = {},
): Promise<Claimed> {
  const now = options.now ?? T0;
  const [queued] = await enqueue(store, jobSpec, now);
  const claimed = await claimNext(store, { workerId: options.workerId ?? "w1", now });
  ok(claimed, "expected to claim the job just enqueued");
  deepStrictEqual(claimed.job.id, queued!.id);
  return claimed;
}

/**
 * Registers a worker entry (the heartbeat a recoverer judges).
 *
 * @example
 * ```ts
 * await using store = await tempStore();
 * await registerWorker(store, { id: "w1", heartbeat_at: T0 });
 * ```
 */
export async function registerWorker(
  store: Store,
  overrides: Partial<WorkerRecord> = {},
): Promise<WorkerRecord> {
  const record = workerRecord(overrides);
  await putWorker(store, record);
  return record;
}

/** The job record and its versionstamp, read straight from KV. */
export async function rawJob(store: Store, id: string): Promise<Deno.KvEntryMaybe<Job>> {
  return await rawKv(store).get<Job>(keys.job(id));
}

/**
 * Rewrites job `id`'s record straight in KV with the longest `last_error` Deno KV still stores
 * (a value is at most 64 KiB), so that a change that adds a byte to it, such as a cancel's
 * `finished_at`, passes KV's value limit. No input makes such a record: it stands in for a
 * write of queuectl's own that goes past a storage limit. Returns the record as written.
 *
 * @example
 * ```ts
 * await using store = await tempStore();
 * const [job] = await enqueue(store, spec());
 * await fillToValueLimit(store, job!.id);
 * ```
 */
export async function fillToValueLimit(store: Store, id: string): Promise<Job> {
  const kv = rawKv(store);
  const job = (await kv.get<Job>(keys.job(id))).value;
  ok(job, `job "${id}" to fill`);
  const withError = (chars: number): Job => ({ ...job, last_error: "x".repeat(chars) });
  const fits = (chars: number) =>
    kv.set(keys.job(id), withError(chars)).then(() => true, () => false);
  // Bisect the length: `fits` holds at `lo` and fails at `hi` (64 Ki characters alone are too
  // many), and each try that fits leaves its record written.
  let lo = 0;
  let hi = 65_536;
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (await fits(mid)) lo = mid;
    else hi = mid;
  }
  await kv.set(keys.job(id), withError(lo));
  return withError(lo);
}

/** The attempt record and its versionstamp, read straight from KV. */
export async function rawAttempt(
  store: Store,
  id: string,
  n: number,
): Promise<Deno.KvEntryMaybe<Attempt>> {
  return await rawKv(store).get<Attempt>(keys.attempt(id, n));
}

/** Every counter as a number (absent = 0; a wrapped, negative one shows as a negative number). */
export async function counters(store: Store): Promise<Record<JobState, number>> {
  const out = {} as Record<JobState, number>;
  for (const state of JOB_STATES) {
    const v = (await rawKv(store).get<Deno.KvU64>(keys.count(state))).value?.value ?? 0n;
    out[state] = Number(BigInt.asIntN(64, v));
  }
  return out;
}

/** Counts per state with zeros filled in, for comparing against {@linkcode counters}. */
export function countsOf(partial: Partial<Record<JobState, number>>): Record<JobState, number> {
  const out = {} as Record<JobState, number>;
  for (const state of JOB_STATES) out[state] = partial[state] ?? 0;
  return out;
}

/** What {@linkcode checkInvariants} found, for further assertions. */
export interface InvariantReport {
  /** Every job by id. */
  jobs: Map<string, Job>;
  /** Jobs per state. */
  counts: Record<JobState, number>;
}

/**
 * Asserts the store's structural invariants by reading every key (no limits apply here):
 * - each job is in exactly the index entries `indexKeys(job)` names (its `ready` entry while
 *   pending, else its `state` entry, plus a `scheduled` entry while scheduled or failed), no more;
 * - every index entry points to an existing job whose state and keys match it;
 * - every counter equals the size of its state's listing (and the number of jobs in that state);
 * - a job's attempt records are exactly 1..runs; only a processing job's latest attempt is
 *   unfinished, and a processing job names its worker;
 * - attempt and output records belong to existing jobs and existing attempts.
 *
 * @example
 * ```ts
 * await using store = await tempStore();
 * await checkInvariants(store);
 * ```
 */
export async function checkInvariants(store: Store): Promise<InvariantReport> {
  const kv = rawKv(store);
  const jobs = new Map<string, Job>();
  for await (const e of kv.list<Job>({ prefix: keys.jobs })) {
    deepStrictEqual(e.key, keys.job(e.value.id), `job record under the wrong key: ${e.key}`);
    jobs.set(e.value.id, e.value);
  }
  const expected = new Map<string, string>();
  for (const j of jobs.values()) {
    for (const k of indexKeys(j)) expected.set(keyId(k), j.id);
  }
  const seen = new Map<string, string>();
  const stateIndex = countsOf({});
  for (const prefix of [["state"], ["ready"], ["scheduled"]]) {
    for await (const e of kv.list<string>({ prefix })) {
      const id = e.value;
      const target = jobs.get(id);
      ok(target, `index entry ${keyId(e.key)} points to missing job "${id}"`);
      ok(
        expected.get(keyId(e.key)) === id,
        `index entry ${keyId(e.key)} does not match job ${JSON.stringify(target)}`,
      );
      seen.set(keyId(e.key), id);
      if (prefix[0] === "state") stateIndex[e.key[1] as JobState]++;
      if (prefix[0] === "ready") stateIndex.pending++;
    }
  }
  for (const [k, id] of expected) {
    ok(seen.has(k), `job "${id}" (${jobs.get(id)?.state}) lacks its index entry ${k}`);
  }
  const byState = countsOf({});
  for (const j of jobs.values()) byState[j.state]++;
  deepStrictEqual(await counters(store), stateIndex, "counters differ from the state index");
  deepStrictEqual(byState, stateIndex, "jobs per state differ from the state index");
  // Each queue's counters equal its jobs per state (a missing counter is 0).
  const byQueue = new Map<string, Record<JobState, number>>();
  for (const j of jobs.values()) {
    const q = queueOf(j);
    if (!byQueue.has(q)) byQueue.set(q, countsOf({}));
    byQueue.get(q)![j.state]++;
  }
  const qcounts = new Map<string, Record<JobState, number>>();
  for await (const e of kv.list<Deno.KvU64>({ prefix: keys.qcounts() })) {
    const q = e.key[1] as string;
    if (!qcounts.has(q)) qcounts.set(q, countsOf({}));
    qcounts.get(q)![e.key[2] as JobState] = Number(e.value.value);
  }
  for (const q of new Set([...byQueue.keys(), ...qcounts.keys()])) {
    deepStrictEqual(
      qcounts.get(q) ?? countsOf({}),
      byQueue.get(q) ?? countsOf({}),
      `queue ${q}'s counters differ from its jobs`,
    );
  }

  const attempts = new Map<string, Attempt[]>();
  for await (const e of kv.list<Attempt>({ prefix: ["attempt"] })) {
    const id = e.key[1] as string;
    ok(jobs.has(id), `attempt ${keyId(e.key)} of missing job "${id}"`);
    deepStrictEqual(e.value.n, e.key[2], `attempt record numbered wrongly: ${keyId(e.key)}`);
    attempts.set(id, [...attempts.get(id) ?? [], e.value]);
  }
  for (const j of jobs.values()) {
    const list = attempts.get(j.id) ?? [];
    deepStrictEqual(
      list.map((a) => a.n),
      Array.from({ length: j.runs }, (_, i) => i + 1),
      `job "${j.id}" has runs ${j.runs} but these attempt records`,
    );
    for (const a of list) {
      const running = j.state === "processing" && a.n === j.runs;
      ok(
        running === (a.outcome === null),
        `job "${j.id}" (${j.state}) attempt ${a.n} has outcome ${a.outcome}`,
      );
    }
    if (j.state === "processing") ok(j.worker, `processing job "${j.id}" names no worker`);
  }
  for await (const e of kv.list({ prefix: ["output"] })) {
    const j = jobs.get(e.key[1] as string);
    ok(j && (e.key[2] as number) <= j.runs, `output ${keyId(e.key)} of a missing attempt`);
  }
  return { jobs, counts: byState };
}

function keyId(key: Deno.KvKey): string {
  return JSON.stringify(key, (_k, v) => (typeof v === "bigint" ? `${v}n` : v));
}
