/**
 * A concurrency limit under chaos: six workers on three "hosts" (their own `QUEUECTL_HOSTNAME`)
 * share one queue limited to 2 while busy workers are killed with -9. The attempt history is
 * the witness: at no instant were more than two attempts of the queue open, and every job ends.
 */
import { deepStrictEqual, ok } from "node:assert/strict";
import { FINAL_STATES } from "../src/job.ts";
import { countJobs, listAttempts, listJobs, listWorkers } from "../src/store/mod.ts";
import { runningJobs } from "../src/worker_record.ts";
import { cli, cliOk, startWorkers, storeOf, tempDb, waitFor, type Workers } from "./helpers.ts";

const JOBS = 30;
const LIMIT = 2;

/** The most intervals open at once; an end at the same instant as a start comes first. */
function mostOpen(intervals: [number, number][]): number {
  const events = intervals.flatMap(([s, e]) => [[s, 1], [e, -1]] as [number, number][]);
  events.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let open = 0;
  let most = 0;
  for (const [, d] of events) most = Math.max(most, open += d);
  return most;
}

Deno.test("mostOpen counts overlapping intervals and treats touching ones as apart", () => {
  deepStrictEqual(mostOpen([[0, 10], [5, 15], [10, 20]]), 2);
  deepStrictEqual(mostOpen([[0, 10], [1, 9], [2, 8]]), 3);
  deepStrictEqual(mostOpen([]), 0);
});

Deno.test({
  name:
    "a concurrency limit of 2 holds across 6 workers on 3 hosts under kill -9: never more than 2 attempts open, every job ends",
  sanitizeOps: false,
  sanitizeResources: false,
  fn: async () => {
    await using db = await tempDb();
    for (
      const [k, v] of [["heartbeat_ms", "200"], ["lease_ms", "1500"], [
        "backoff_base",
        "1",
      ]] as const
    ) {
      await cliOk(db, ["config", "set", k, v]);
    }
    await cliOk(db, ["queue", "set", "build", "--concurrency", String(LIMIT)]);
    const lines = Array.from({ length: JOBS }, (_, i) =>
      JSON.stringify({
        id: `b${i}`,
        command: `sleep 0.${1 + (i % 3)}`,
        queue: "build",
        max_retries: 5,
      }));
    // Unlimited work beside it, so idle workers keep claiming while build is full.
    for (let i = 0; i < 20; i++) lines.push(JSON.stringify({ id: `d${i}`, command: "sleep 0.1" }));
    deepStrictEqual(
      (await cli(db, ["enqueue", "--file", "-"], { stdin: lines.join("\n") })).code,
      0,
    );

    const hosts: Workers[] = ["h1", "h2", "h3"].map((host) =>
      startWorkers(db, 2, { env: { QUEUECTL_HOSTNAME: host } })
    );
    await using store = await storeOf(db);
    const killed = new Set<number>();
    try {
      // Kill a random busy worker running a build job with -9 every 500 ms, five times.
      for (let round = 0; round < 5; round++) {
        await new Promise((r) => setTimeout(r, 500));
        const busy = (await listWorkers(store)).filter((w) =>
          runningJobs(w).some((r) => r.id.startsWith("b")) && !killed.has(w.pid)
        );
        const victim = busy[Math.floor(Math.random() * busy.length)];
        if (!victim) continue;
        try {
          Deno.kill(victim.pid, "SIGKILL");
          killed.add(victim.pid);
        } catch {
          // It exited on its own meanwhile.
        }
      }
      await waitFor(async () => {
        const c = await countJobs(store);
        return FINAL_STATES.reduce((n, s) => n + c[s], 0) === JOBS + 20;
      }, { timeoutMs: 20_000, what: "every job to end" });
    } finally {
      for (const h of hosts) await h.stop();
    }
    ok(killed.size > 0, "at least one busy worker was killed");
    const build = (await listJobs(store, { queue: "build", limit: 1000 })).jobs;
    deepStrictEqual(build.length, JOBS);
    const intervals: [number, number][] = [];
    for (const job of build) {
      deepStrictEqual(job.state, "completed", `${job.id} ended ${job.state}`);
      for (const a of await listAttempts(store, job.id)) {
        ok(a.finished_at !== null, `${job.id} attempt ${a.n} never closed`);
        intervals.push([a.started_at, a.finished_at!]);
      }
    }
    const most = mostOpen(intervals);
    ok(most <= LIMIT, `${most} build attempts were open at once (limit ${LIMIT})`);
    deepStrictEqual(most, LIMIT, "the limit was reached");
    const doctor = await cli(db, ["doctor"]);
    deepStrictEqual(doctor.code, 0, doctor.stdout + doctor.stderr);
  },
});
