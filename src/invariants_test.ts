/**
 * `findViolations` over hand-built snapshots: a clean one, then one broken rule at a time.
 * The expected index keys come from the store's own `indexKeys`, so these snapshots have the
 * shapes a real database has.
 */
import { deepStrictEqual, equal, match } from "node:assert/strict";
import { job, T0 } from "../tests/factory.ts";
import {
  type CheckOptions,
  dependencyViolations,
  findViolations,
  stateIndexSizes,
} from "./invariants.ts";
import type { Snapshot, Violation } from "./invariant_data.ts";
import { type Job, JOB_STATES, type JobState } from "./job.ts";
import { keyText } from "./store/doctor_snapshot.ts";
import { keys } from "./store/keys.ts";
import { indexKeys } from "./store/transition.ts";

const LEASE_MS = 10_000;
const expectedKeys = (j: Job) => indexKeys(j).map(keyText);

/** A consistent snapshot of `jobs`: exactly their index entries, counters to match. */
function snapshotOf(
  jobs: Job[],
  workers: [string, number, { host: string; pid: number }?][] = [],
): Snapshot {
  const index = jobs.flatMap((j) => expectedKeys(j).map((key) => ({ key, id: j.id })));
  const views = workers.map(([id, heartbeat_at, at]) =>
    [id, { heartbeat_at, host: at?.host ?? "far", pid: at?.pid ?? 1 }] as const
  );
  return { jobs, index, counters: { ...stateIndexSizes({ jobs }) }, workers: new Map(views) };
}

function check(snap: Snapshot, now = T0, more: Partial<CheckOptions> = {}): Violation[] {
  return findViolations(snap, { now, leaseMs: LEASE_MS, expectedKeys, ...more });
}

/** One job in each state, a processing one owned by a worker that beat just now. */
function healthyJobs(): Job[] {
  const seq = (n: number) => `01KSEQ${String(n).padStart(20, "0")}`;
  return [
    job({ id: "h", state: "held", seq: seq(8) }),
    job({ id: "b", state: "blocked", seq: seq(9), after: ["p"], blocked_on: 1 }),
    job({ id: "s", state: "scheduled", run_at: T0 + 60_000, seq: seq(1) }),
    job({ id: "p", state: "pending", seq: seq(2), priority: 5 }),
    job({ id: "r", state: "processing", seq: seq(3), worker: "w1", attempts: 1, runs: 1 }),
    job({ id: "f", state: "failed", seq: seq(4), attempts: 1, runs: 1, run_at: T0 + 2_000 }),
    job({ id: "c", state: "completed", seq: seq(5), attempts: 1, runs: 1 }),
    job({ id: "d", state: "dead", seq: seq(6), attempts: 4, runs: 4, max_retries: 3 }),
    job({ id: "x", state: "canceled", seq: seq(7) }),
  ];
}

const kinds = (vs: Violation[]) => vs.map((v) => [v.kind, v.job ?? null]);

Deno.test("a consistent snapshot with a job in every state, its worker beating, has no violation", () => {
  const jobs = healthyJobs();
  deepStrictEqual(jobs.map((j) => j.state), [...JOB_STATES]);
  deepStrictEqual(check(snapshotOf(jobs, [["w1", T0 - 1_000]])), []);
});

Deno.test("an empty snapshot with zero counters has no violation", () => {
  deepStrictEqual(check(snapshotOf([])), []);
});

Deno.test("a pending job without its ready entry is a missing_index violation naming the job and key", () => {
  const p = job({ id: "p", state: "pending", priority: 5 });
  const snap = snapshotOf([p]);
  const ready = keyText(keys.ready("default", 5, p.seq, "p"));
  snap.index = snap.index.filter((e) => e.key !== ready);
  const found = check(snap);
  deepStrictEqual(kinds(found), [["missing_index", "p"]]);
  match(found[0]!.detail, /job p lacks index entry/);
  equal(found[0]!.detail.includes(ready), true, found[0]!.detail);
});

Deno.test("a failed job without its scheduled entry is a missing_index violation", () => {
  const f = job({ id: "f", state: "failed", attempts: 1, runs: 1, run_at: T0 + 5_000 });
  const snap = snapshotOf([f]);
  snap.index = snap.index.filter((e) => e.key !== keyText(keys.scheduled(T0 + 5_000, "f")));
  deepStrictEqual(kinds(check(snap)), [["missing_index", "f"]]);
});

Deno.test("an index entry for a job that does not exist, or in another state, is a stray_index violation", () => {
  const p = job({ id: "p", state: "pending" });
  const snap = snapshotOf([p]);
  snap.index.push(
    { key: keyText(keys.state("dead", "01KSEQ9", "ghost")), id: "ghost" },
    { key: keyText(keys.state("completed", p.seq, "p")), id: "p" },
  );
  const found = check(snap);
  deepStrictEqual(kinds(found), [["stray_index", "ghost"], ["stray_index", "p"]]);
  match(found[0]!.detail, /\["state","dead","01KSEQ9","ghost"\] matches no job/);
});

Deno.test("an index entry left at a job's old seq or old run_at is a stray_index violation besides the missing one", () => {
  const s = job({ id: "s", state: "scheduled", run_at: T0 + 9_000 });
  const snap = snapshotOf([s]);
  snap.index = snap.index.map((e) =>
    e.key === keyText(keys.scheduled(T0 + 9_000, "s"))
      ? { key: keyText(keys.scheduled(T0 + 1_000, "s")), id: "s" }
      : e
  );
  deepStrictEqual(kinds(check(snap)), [["missing_index", "s"], ["stray_index", "s"]]);
});

Deno.test("a counter that differs from the number of jobs in its state is a counter_mismatch naming both numbers", () => {
  const snap = snapshotOf(healthyJobs(), [["w1", T0]]);
  snap.counters.pending = 7;
  snap.counters.dead = 0;
  const found = check(snap);
  deepStrictEqual(kinds(found), [["counter_mismatch", null], ["counter_mismatch", null]]);
  match(found[0]!.detail, /counter pending is 7 but 1 jobs are pending/);
  match(found[1]!.detail, /counter dead is 0 but 1 jobs are dead/);
});

Deno.test("a job with more attempts than 1 + max_retries is an attempts_exceeded violation; exactly 1 + max_retries is fine", () => {
  const over = job({ id: "over", state: "dead", attempts: 3, runs: 3, max_retries: 1 });
  const edge = job({ id: "edge", state: "dead", attempts: 2, runs: 2, max_retries: 1 });
  const found = check(snapshotOf([over, edge]));
  deepStrictEqual(kinds(found), [["attempts_exceeded", "over"]]);
  match(found[0]!.detail, /ran 3 times, more than 1 \+ max_retries \(1\)/);
});

Deno.test("attempts are judged per cycle: runs beyond 1 + max_retries after a dlq retry are not a violation", () => {
  const retried = job({ id: "r", state: "completed", attempts: 1, runs: 5, max_retries: 3 });
  deepStrictEqual(check(snapshotOf([retried])), []);
});

Deno.test("a processing job whose worker is unregistered, silent past the lease, or missing is an orphaned_processing violation", () => {
  const seq = (n: number) => `01KSEQ${n}`;
  const proc = (id: string, worker: string | null, n: number) =>
    job({ id, state: "processing", worker, attempts: 1, runs: 1, seq: seq(n) });
  const snap = snapshotOf(
    [
      proc("live", "w-live", 1),
      proc("edge", "w-edge", 2),
      proc("gone", "w-gone", 3),
      proc("stale", "w-stale", 4),
      proc("nobody", null, 5),
    ],
    [["w-live", T0 - 1], ["w-edge", T0 - LEASE_MS], ["w-stale", T0 - LEASE_MS - 1]],
  );
  const found = check(snap);
  deepStrictEqual(kinds(found), [
    ["orphaned_processing", "gone"],
    ["orphaned_processing", "stale"],
    ["orphaned_processing", "nobody"],
  ]);
  match(found[0]!.detail, /worker w-gone is not registered/);
  match(found[1]!.detail, /worker w-stale is silent past its lease/);
});

Deno.test("a processing job whose worker's pid is gone on the checker's host is reported as lost, with when a live worker will recover it", () => {
  const proc = (id: string, worker: string, n: number) =>
    job({ id, state: "processing", worker, attempts: 1, runs: 1, seq: `01KSEQ${n}` });
  const here = (pid: number) => ({ host: "here", pid });
  const snap = snapshotOf(
    [
      proc("dead", "here:111:a", 1),
      proc("alive", "here:222:b", 2),
      proc("far", "far:111:c", 3),
      proc("unregistered", "here:333:d", 4),
    ],
    [["here:111:a", T0 - 1, here(111)], ["here:222:b", T0 - 1, here(222)], ["far:111:c", T0 - 1]],
  );
  const pidAlive = (pid: number) => pid === 222;
  const found = check(snap, T0, { host: "here", pidAlive, lookMs: 1500 });
  deepStrictEqual(kinds(found), [
    ["orphaned_processing", "dead"],
    ["orphaned_processing", "unregistered"],
  ]);
  equal(
    found[0]!.detail,
    "job dead is processing but its worker here:111:a has exited (its pid is gone on this host): lost, recovery pending in 2 s (a live worker will recover it)",
  );
  // Without the checker's host, a pid means nothing: only the lease counts.
  deepStrictEqual(kinds(check(snap)), [["orphaned_processing", "unregistered"]]);
  // With no live worker left, nothing will recover it until one runs.
  const alone = snapshotOf([proc("dead", "here:111:a", 1)], [["here:111:a", T0 - 1, here(111)]]);
  match(
    check(alone, T0, { host: "here", pidAlive })[0]!.detail,
    /lost, recovery pending until a worker runs \(none is live\)$/,
  );
});

Deno.test("a worker heartbeat only matters for processing jobs: a pending job with a stale worker field is fine", () => {
  const p = job({ id: "p", state: "pending", worker: "w-old", attempts: 1, runs: 1 });
  deepStrictEqual(check(snapshotOf([p])), []);
});

Deno.test("several broken rules at once are all reported, each once", () => {
  const jobs = healthyJobs();
  const snap = snapshotOf(jobs, []);
  snap.index = snap.index.filter((e) => !e.key.startsWith('["ready"'));
  snap.index.push({ key: keyText(keys.state("dead", "01KSEQZ", "ghost")), id: "ghost" });
  snap.counters.failed = 3;
  jobs.find((j) => j.id === "c")!.attempts = 9;
  const found = check(snap);
  const byKind = (k: Violation["kind"]) => found.filter((v) => v.kind === k).length;
  deepStrictEqual(
    {
      attempts_exceeded: byKind("attempts_exceeded"),
      orphaned_processing: byKind("orphaned_processing"),
      missing_index: byKind("missing_index"),
      stray_index: byKind("stray_index"),
      counter_mismatch: byKind("counter_mismatch"),
    },
    {
      attempts_exceeded: 1,
      orphaned_processing: 1,
      missing_index: 1,
      stray_index: 1,
      counter_mismatch: 1,
    },
  );
  equal(found.length, 5);
});

Deno.test("stateIndexSizes counts the job records of each state, zero for states without jobs", () => {
  const sizes = stateIndexSizes({ jobs: [...healthyJobs(), job({ id: "p2", state: "pending" })] });
  const want = Object.fromEntries(JOB_STATES.map((s) => [s, s === "pending" ? 2 : 1])) as Record<
    JobState,
    number
  >;
  deepStrictEqual(sizes, want);
  deepStrictEqual(Object.values(stateIndexSizes({ jobs: [] })), JOB_STATES.map(() => 0));
});

Deno.test("a job whose environment is missing, and a reference count that is off, are violations", () => {
  const jobs = [
    job({ id: "a", state: "pending", env: "e1" }),
    job({ id: "b", state: "completed", env: "e1" }),
  ];
  const snap = { ...snapshotOf(jobs), envs: new Set<string>(), envRefs: new Map([["e1", 1]]) };
  deepStrictEqual(kinds(check(snap)), [["env_missing", "a"], ["env_refs_mismatch", null]]);
  const fine = { ...snapshotOf(jobs), envs: new Set(["e1"]), envRefs: new Map([["e1", 2]]) };
  deepStrictEqual(check(fine), []);
});

Deno.test("a blocked job whose dependencies all ended is a straggler, unless their outcome is in flight", () => {
  const jobs = [
    job({ id: "a", state: "completed", finished_at: T0 }),
    job({ id: "z", state: "dead", finished_at: T0 }),
    job({ id: "b", state: "blocked", after: ["a", "z"], blocked_on: 1 }),
  ];
  deepStrictEqual(kinds(dependencyViolations({ jobs })), [["blocked_straggler", "b"]]);
  deepStrictEqual(dependencyViolations({ jobs, inFlight: new Set(["z"]) }), []);
});

Deno.test("a job that left blocked while a dependency never finished started early", () => {
  const jobs = [
    job({ id: "a", state: "pending" }),
    job({ id: "b", state: "pending", after: ["a"] }),
    job({ id: "c", state: "canceled", after: ["a"] }),
  ];
  deepStrictEqual(kinds(dependencyViolations({ jobs })), [["started_early", "b"]]);
});
