/**
 * Contention on one local file: 8 worker processes and concurrent enqueuers share a single
 * SQLite-backed KV file. Nobody crashes or gives up on "database is locked", no job is claimed
 * twice, none is lost, and the invariants still hold at the end.
 *
 * @module
 */
import { deepStrictEqual, equal, ok } from "node:assert/strict";
import { join } from "node:path";
import type { Attempt, Job } from "../src/job.ts";
import { countJobs, listAttempts, listJobs } from "../src/store/mod.ts";
import { cli, cliOk, createDb, startWorkers, storeOf, tempDb, waitFor } from "./helpers.ts";

const WORKERS = 8;
const JOBS = 400;
const BATCHES = 4;

const sh = (path: string) => `'${path.replaceAll("'", "'\\''")}'`;

Deno.test({
  name:
    "8 workers on one local file complete each of 400 jobs exactly once, never hit 'database is locked' or crash, and doctor finds no violation during or after",
  sanitizeOps: false,
  sanitizeResources: false,
  fn: async () => {
    await using db = await tempDb();
    const ran = join(db.dir, "ran.log");
    // Each attempt leaves one line; `>>` appends of a short line are atomic, so lines never mix.
    const command = `echo "$QUEUECTL_JOB_ID" >> ${sh(ran)}`;
    await createDb(db); // Once, before many processes open it.

    // One process per worker: this test is about processes contending for the file.
    const workers = startWorkers(db, WORKERS, { args: ["--processes", String(WORKERS)] });
    try {
      await waitFor(
        async () => JSON.parse(await cliOk(db, ["worker", "list", "--json"])).length === WORKERS,
        { intervalMs: 100, timeoutMs: 30_000, what: `${WORKERS} registered workers` },
      );
      await using store = await storeOf(db);
      // While the workers churn, doctor must not mistake a transition it reads halfway for a
      // broken invariant. It starts before the enqueues, so it runs while jobs move however
      // fast the workers drain them.
      const liveDoctor: { code: number; violations: unknown[]; stderr: string }[] = [];
      let done = false;
      const doctoring = (async () => {
        while (!done && (await countJobs(store)).completed < JOBS) {
          // A run that began while jobs were moving counts even if the queue settled meanwhile.
          const r = await cli(db, ["doctor", "--json"]);
          liveDoctor.push({
            code: r.code,
            violations: JSON.parse(r.stdout).violations,
            stderr: r.stderr,
          });
        }
      })();
      try {
        // Enqueue in concurrent batches while the workers are already claiming: writers from
        // several processes at once on top of the 8 workers' claims, finishes and heartbeats.
        const per = JOBS / BATCHES;
        const enqueued = await Promise.all(
          Array.from({ length: BATCHES }, (_, b) =>
            cli(db, ["enqueue", "--file", "-"], {
              stdin: Array.from(
                { length: per },
                (_, i) => JSON.stringify({ id: `k${b * per + i}`, command }),
              ).join("\n"),
            })),
        );
        for (const r of enqueued) equal(r.code, 0, r.stderr);
        await waitFor(async () => (await countJobs(store)).completed === JOBS, {
          timeoutMs: 60_000,
          intervalMs: 200,
          what: `${JOBS} completed jobs`,
        });
      } finally {
        done = true;
        await doctoring;
      }
      ok(liveDoctor.length >= 1, "doctor ran at least once while jobs were moving");
      deepStrictEqual(
        liveDoctor.filter((d) => d.code !== 0 || d.violations.length > 0),
        [],
        "doctor on the live queue reported a violation",
      );
      equal(await workers.stop(), 0, "the supervisor exits 0 after a graceful stop");

      const counts = await countJobs(store);
      deepStrictEqual(
        Object.entries(counts).filter(([state, n]) => state !== "completed" && n !== 0),
        [],
        "no job is in any other state",
      );
      const jobs: Job[] = [];
      let after: string | undefined;
      do {
        const page = await listJobs(store, { limit: 1000, after });
        jobs.push(...page.jobs);
        after = page.next ?? undefined;
      } while (after !== undefined);
      equal(jobs.length, JOBS, "no job is lost and none is added");
      const ids = new Set(jobs.map((j) => j.id));

      // Side effects: every job's command ran exactly once.
      const lines = (await Deno.readTextFile(ran)).trim().split("\n");
      equal(lines.length, JOBS, "one side effect per job");
      deepStrictEqual(new Set(lines), ids, "each job id appears in the side-effect log once");

      // Records: one attempt per job, succeeded, and the job record agrees.
      deepStrictEqual(
        jobs.filter((j) => j.attempts !== 1 || j.runs !== 1).map((j) => j.id),
        [],
        "every job took exactly 1 attempt",
      );
      const ranBy = new Set<string>();
      const histories = await Promise.all(jobs.map((j) => listAttempts(store, j.id)));
      histories.forEach((history: Attempt[], i) => {
        const job = jobs[i]!;
        deepStrictEqual(
          history.map((a) => [a.n, a.outcome]),
          [[1, "succeeded"]],
          `${job.id} history`,
        );
        ranBy.add(history[0]!.worker);
      });
      ok(ranBy.size >= 2, `the jobs were spread over several workers, not ${[...ranBy]}`);

      const log = workers.log();
      for (const bad of ["database is locked", "worker.crashed", "unexpected error"]) {
        ok(!log.includes(bad), `the supervisor log mentions "${bad}":\n${log}`);
      }
      ok(!log.includes("job.result_refused"), "no result was refused (nobody lost a lease)");
      ok(!log.includes("job.recovered"), "no job was recovered from a presumed-lost worker");

      const doctor = await cli(db, ["doctor", "--json"]);
      deepStrictEqual(JSON.parse(doctor.stdout).violations, []);
      equal(doctor.code, 0, doctor.stderr);
    } finally {
      await workers.stop();
    }
  },
});
