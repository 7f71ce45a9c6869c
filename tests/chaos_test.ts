/**
 * The chaos test: real workers over a few hundred jobs while workers are killed with -9 and one
 * is frozen past its lease. Afterwards nothing is lost, nothing ran a result twice, every side
 * effect matches a recorded attempt, and `doctor` finds no violation.
 */
import { deepStrictEqual, ok } from "node:assert/strict";
import { join } from "node:path";
import { FINAL_STATES } from "../src/job.ts";
import {
  countJobs,
  getJob,
  listAttempts,
  listJobs,
  listWorkers,
  putWorker,
  type Store,
  type WorkerRecord,
} from "../src/store/mod.ts";
import { cli, startWorkers, storeOf, tempDb, waitFor } from "./helpers.ts";

const JOBS = 240;

/** Whether another connection can still write within 1 s. */
async function writable(store: Store): Promise<boolean> {
  const probe = putWorker(store, workerRecordFor("chaos-probe")).then(() => true, () => false);
  const timeout = new Promise<boolean>((r) => setTimeout(() => r(false), 1000));
  return await Promise.race([probe, timeout]);
}

function workerRecordFor(id: string): WorkerRecord {
  const now = Date.now();
  return {
    id,
    pid: Deno.pid,
    host: "chaos-probe",
    state: "idle",
    job: null,
    job_pgid: null,
    started_at: now,
    heartbeat_at: now,
    processed: 0,
    supervisor: null,
  };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? NaN;
}

Deno.test({
  name:
    "under kill -9 and SIGSTOP chaos no job is lost, no attempt runs twice, and doctor finds nothing",
  sanitizeOps: false,
  sanitizeResources: false,
  fn: async () => {
    await using db = await tempDb();
    const side = join(db.dir, "side.log");
    for (
      const [k, v] of [["heartbeat_ms", "200"], ["lease_ms", "1500"], [
        "backoff_base",
        "1",
      ]] as const
    ) deepStrictEqual((await cli(db, ["config", "set", k, v])).code, 0);
    // Every attempt that reaches its command leaves one line: job id and attempt number.
    const mark = `echo "$QUEUECTL_JOB_ID $QUEUECTL_RUN" >> ${side}`;
    const lines: string[] = [];
    for (let i = 0; i < JOBS; i++) {
      const kind = i % 10;
      const command = kind < 4
        ? `${mark}`
        : kind < 7
        ? `${mark}; sleep 0.2`
        : kind < 9
        ? `${mark}; exit 1`
        : `${mark}; sleep 1`;
      lines.push(
        JSON.stringify({ id: `c${i}`, command, max_retries: kind < 9 && kind >= 7 ? 1 : 3 }),
      );
    }
    deepStrictEqual(
      (await cli(db, ["enqueue", "--file", "-"], { stdin: lines.join("\n") })).code,
      0,
    );

    const workers = startWorkers(db, 4);
    await using store = await storeOf(db);
    const kills = new Map<number, number>(); // pid → when it was killed
    let frozenPid: number | null = null;
    try {
      // Kill a random busy worker with -9 every 400 ms, six times.
      for (let round = 0; round < 6; round++) {
        await new Promise((r) => setTimeout(r, 400));
        const busy = (await listWorkers(store)).filter((w) =>
          w.state === "busy" && !kills.has(w.pid)
        );
        const victim = busy[Math.floor(Math.random() * busy.length)];
        if (!victim) continue;
        try {
          Deno.kill(victim.pid, "SIGKILL");
          kills.set(victim.pid, Date.now());
        } catch {
          // It exited on its own meanwhile.
        }
      }
      // Freeze a worker in the middle of a long job (one of the `sleep 1` ones), past its lease.
      // The registry may lag a job behind, so the job record confirms who holds what.
      const frozen = await waitFor(async () => {
        for (const w of await listWorkers(store)) {
          if (kills.has(w.pid) || !w.job || !/^c\d*9$/.test(w.job)) continue;
          const job = await getJob(store, w.job);
          if (job?.state !== "processing" || job.worker !== w.id) continue;
          Deno.kill(w.pid, "SIGSTOP");
          const still = await getJob(store, w.job);
          // A process frozen inside a SQLite write would hold the file's lock and stall every
          // other writer (SQLite, not queuectl): only keep a freeze that leaves writes possible.
          if (
            still?.state === "processing" && still.worker === w.id && still.runs === job.runs &&
            await writable(store)
          ) {
            return { pid: w.pid, job: job.id, run: job.runs };
          }
          Deno.kill(w.pid, "SIGCONT"); // It finished that job in between: try another.
        }
        return null;
      }, { what: "a worker in the middle of a long job to freeze", timeoutMs: 30_000 });
      frozenPid = frozen.pid;
      const frozenAt = Date.now();
      await waitFor(async () => {
        const job = await getJob(store, frozen.job);
        return job && !(job.state === "processing" && job.runs === frozen.run);
      }, { what: "the frozen worker's job to be recovered", timeoutMs: 20_000 });
      const recoveredFrozenMs = Date.now() - frozenAt;
      Deno.kill(frozen.pid, "SIGCONT");
      frozenPid = null;

      await waitFor(async () => {
        const c = await countJobs(store);
        return FINAL_STATES.reduce((n, s) => n + c[s], 0) === JOBS;
      }, { what: "every job to end", timeoutMs: 90_000, intervalMs: 200 });
      deepStrictEqual(await workers.stop(), 0);

      // Nothing lost: every job is final, and exactly JOBS jobs exist.
      const all = [];
      let after: string | undefined;
      do {
        const page = await listJobs(store, { limit: 1000, after });
        all.push(...page.jobs);
        after = page.next ?? undefined;
      } while (after !== undefined);
      deepStrictEqual(all.length, JOBS);
      ok(all.every((j) => FINAL_STATES.includes(j.state)));

      // Side effects match attempts: no (job, attempt) ran twice, and each ran attempt is recorded.
      const effects = (await Deno.readTextFile(side)).trim().split("\n");
      deepStrictEqual(new Set(effects).size, effects.length, "an attempt number ran twice");
      const recoveries: number[] = [];
      for (const job of all) {
        const history = await listAttempts(store, job.id);
        deepStrictEqual(history.map((a) => a.n), history.map((_, i) => i + 1));
        deepStrictEqual(history.length, job.runs);
        ok(job.attempts <= 1 + job.max_retries, `${job.id} ran too often`);
        ok(history.every((a) => a.outcome !== null), `${job.id} has an unfinished attempt`);
        const wins = history.filter((a) => a.outcome === "succeeded");
        ok(wins.length <= 1, `${job.id} succeeded twice`);
        if (job.state === "completed") deepStrictEqual(history.at(-1)?.outcome, "succeeded");
        for (const line of effects.filter((l) => l.startsWith(`${job.id} `))) {
          const n = Number(line.split(" ")[1]);
          ok(history.some((a) => a.n === n), `${line} has no recorded attempt`);
        }
        for (const a of history) {
          const pid = Number(a.worker.split(":")[1]);
          const killedAt = kills.get(pid);
          if (a.outcome === "worker_lost" && killedAt && a.finished_at) {
            recoveries.push(a.finished_at - killedAt);
          }
        }
      }
      const doctor = await cli(db, ["doctor", "--json"]);
      deepStrictEqual(JSON.parse(doctor.stdout).violations, []);
      deepStrictEqual(doctor.code, 0);
      console.log(
        `chaos: ${kills.size} workers killed -9; recovery after kill median ${
          median(recoveries)
        } ms, max ${Math.max(...recoveries)} ms (n=${recoveries.length}); ` +
          `frozen worker's job recovered after ${recoveredFrozenMs} ms (lease 1500 ms)`,
      );
      ok(workers.log().includes("worker.crashed"), "the supervisor did not report the crashes");
      ok(
        workers.log().includes("job.result_refused"),
        "the frozen worker's late result was not refused",
      );
    } finally {
      // A stopped process never exits: resume it before asking everything to stop.
      if (frozenPid !== null) Deno.kill(frozenPid, "SIGCONT");
      await workers.stop();
    }
  },
});
