import { deepStrictEqual as assertEquals, strictEqual } from "node:assert/strict";
import {
  checkInvariants,
  enqueue,
  enqueueAndClaim,
  failure,
  report,
  SETTINGS,
  spec,
  T0,
  tempStore,
} from "../../tests/factory.ts";
import { cancelJob } from "./cancel.ts";
import { finishBatch, pickClaims } from "./finish_batch.ts";
import { getJob } from "./query.ts";
import { releaseClaim } from "./handoff.ts";
import { claimNext, readCandidates } from "./claim.ts";
import type { Candidate } from "./claim.ts";
import type { Job } from "../job.ts";

const opts = (claims: number) => ({ now: T0 + 10, settings: SETTINGS, workerId: "w1", claims });

Deno.test("finishBatch writes two ends and claims two jobs in one commit, in priority order", async () => {
  await using store = await tempStore({ spy: true });
  const a = await enqueueAndClaim(store, spec({ id: "a" }));
  const b = await enqueueAndClaim(store, spec({ id: "b" }));
  await enqueue(store, [
    spec({ id: "low" }),
    spec({ id: "high", priority: 5 }),
    spec({ id: "mid", priority: 1 }),
  ], T0 + 1);
  const commits = store.stats.commits;
  const out = await finishBatch(store, [
    { claimed: a, report: report() },
    { claimed: b, report: failure(2) },
  ], opts(2));
  strictEqual(out.together, true);
  strictEqual(store.stats.commits - commits, 1, "one atomic op");
  assertEquals(out.jobs.map((j) => j?.state), ["completed", "failed"]);
  assertEquals(out.next.map((c) => c.job.id), ["high", "mid"]);
  for (const c of out.next) {
    assertEquals([c.job.state, c.job.worker], ["processing", "w1"]);
    strictEqual((await getJob(store, c.job.id))?.state, "processing");
  }
  strictEqual((await getJob(store, "low"))?.state, "pending");
  await checkInvariants(store);
});

Deno.test("a failed check in a batch loses none of the others: the stale end is refused, the rest are written alone, nothing is claimed", async () => {
  await using store = await tempStore();
  const a = await enqueueAndClaim(store, spec({ id: "a" }));
  const b = await enqueueAndClaim(store, spec({ id: "b" }));
  const c = await enqueueAndClaim(store, spec({ id: "c" }));
  await enqueue(store, spec({ id: "next" }), T0 + 1);
  // b is taken over behind w1's back; c gets a cancel request (a benign change: still w1's, and
  // its success is written as finishAttempt writes it).
  await releaseClaim(store, b, { now: T0 + 2 });
  await claimNext(store, { workerId: "w2", now: T0 + 3 }); // takes "b" or "next"
  await cancelJob(store, "c", { now: T0 + 4 });
  const out = await finishBatch(store, [
    { claimed: a, report: report() },
    { claimed: b, report: report() },
    { claimed: c, report: report() },
  ], opts(2));
  strictEqual(out.together, false);
  assertEquals(out.next, []);
  assertEquals(out.jobs.map((j) => j?.state ?? null), ["completed", null, "completed"]);
  strictEqual((await getJob(store, "a"))?.state, "completed");
  strictEqual((await getJob(store, "b"))?.worker === "w1", false, "the stale end wrote nothing");
  await checkInvariants(store);
});

Deno.test("pickClaims keeps claim order, one claim per limited queue, the gate once per queue, and the checks within the limit", () => {
  const cand = (id: string, queue: string, limits = false): Candidate =>
    ({
      current: { value: { id, queue } as unknown as Job },
      gate: { settings: { value: limits ? { concurrency: 2, rate: null } : null } },
    }) as unknown as Candidate;
  const all = [cand("a", "default"), cand("b", "default"), cand("c", "mail", true), cand("d", "x")];
  const ids = (picks: ReturnType<typeof pickClaims>) =>
    picks.map((p) => [p.candidate.current.value.id, p.gate]);
  // 3 ends leave 6 checks: a with its gate (3), b of the same free queue without (2).
  assertEquals(ids(pickClaims(all, { ends: 3, claims: 3, maxChecks: 10 })), [["a", true], [
    "b",
    false,
  ]]);
  // 1 end leaves 8: a (3), b (2), then c's limited gate (4) does not fit, d's (3) does.
  assertEquals(ids(pickClaims(all, { ends: 1, claims: 3, maxChecks: 10 })), [
    ["a", true],
    ["b", false],
    ["d", true],
  ]);
  // A queue with a limit gets one claim per batch.
  const mail = [cand("c", "mail", true), cand("c2", "mail", true)];
  assertEquals(ids(pickClaims(mail, { ends: 1, claims: 2, maxChecks: 10 })), [["c", true]]);
  assertEquals(pickClaims(all, { ends: 9, claims: 2, maxChecks: 10 }), []);
});

Deno.test("a batch given candidates read ahead of time that went stale (another worker claimed one) reads afresh and still claims", async () => {
  await using store = await tempStore({ spy: true });
  const a = await enqueueAndClaim(store, spec({ id: "a" }));
  await enqueue(store, [spec({ id: "c", priority: 2 }), spec({ id: "d", priority: 1 })]);
  const ahead = await readCandidates(store, { workerId: "w1", now: T0 + 5, random: () => 0 });
  assertEquals(ahead.map((c) => c.current.value.id), ["c", "d"]);
  const other = await claimNext(store, { workerId: "w2", now: T0 + 6, random: () => 0 });
  strictEqual(other?.job.id, "c");
  const commits = store.stats.commits;
  const out = await finishBatch(store, [{ claimed: a, report: report() }], {
    ...opts(1),
    candidates: ahead,
  });
  assertEquals([out.together, out.jobs[0]?.state, out.next.map((n) => n.job.id)], [
    true,
    "completed",
    ["d"],
  ]);
  strictEqual(store.stats.commits - commits, 2, "the stale try, then the one that went in");
  await checkInvariants(store);
});
