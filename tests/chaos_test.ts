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
import { runningJobs } from "../src/worker_record.ts";
import { cli, startWorkers, storeOf, tempDb, waitFor } from "./helpers.ts";

const JOBS = 240;
/** The jobs that kill their own worker with -9 within 50 ms of their first run's start. */
const SELF_KILLERS = new Set(
  Array.from({ length: JOBS }, (_, i) => i).filter((i) => i % 40 === 5).map((i) => `c${i}`),
);

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

/**
 * Each pair of runs of one job where the earlier run wrote its end after the later one started
 * (the marks are in centiseconds, so a tie is not an overlap).
 */
function findOverlaps(effects: { id: string; n: number; what: string; t: number }[]): string[] {
  const out: string[] = [];
  for (const e of effects.filter((e) => e.what === "end")) {
    const later = effects.find((s) =>
      s.what === "start" && s.id === e.id && s.n > e.n && s.t < e.t
    );
    if (later) {
      out.push(`${e.id}: run ${e.n} ended at ${e.t}, after run ${later.n} began at ${later.t}`);
    }
  }
  return out;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? NaN;
}

/**
 * Resumes a frozen worker. A self-killing job in its other slot may have killed it while it was
 * stopped (its jobs run in their own sessions, not frozen with it): then nothing is left to resume.
 */
function resume(pid: number): boolean {
  try {
    Deno.kill(pid, "SIGCONT");
    return true;
  } catch {
    return false; // Gone already.
  }
}

Deno.test({
  name:
    "under kill -9 and SIGSTOP chaos (some kills within 50 ms of a job's start) no job is lost, no attempt runs twice, no two runs of a job overlap, and doctor finds nothing",
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
    // Every attempt that reaches its command leaves a start line and, unless it is killed, an end
    // line: job id, attempt number and the time (/proc/uptime, read by a shell builtin, so the
    // marks cost no process of their own).
    const at = (what: string) =>
      `read t _ < /proc/uptime; echo "$QUEUECTL_JOB_ID $QUEUECTL_RUN ${what} $t" >> ${side}`;
    const [start, end] = [at("start"), at("end")];
    const lines: string[] = [];
    for (let i = 0; i < JOBS; i++) {
      const kind = i % 10;
      // Every 40th job kills its own worker with -9 0–40 ms into its first run, before the
      // worker publishes the run's process group, then runs long enough that a surviving
      // orphan would still be running when the retry starts. `kill`'s complaint goes nowhere:
      // when the test (or another slot's job) killed that worker first, it would write to a
      // pipe nobody reads, and the shell would die of SIGPIPE before it became an orphan.
      const command = SELF_KILLERS.has(`c${i}`)
        ? `${start}; sleep 0.0${
          Math.floor(i / 40) % 5
        }; [ "$QUEUECTL_RUN" = 1 ] && kill -9 $PPID 2>/dev/null; sleep 2.5; ${end}`
        : kind < 4
        ? `${start}; ${end}`
        : kind < 7
        ? `${start}; sleep 0.2; ${end}`
        : kind < 9
        ? `${start}; ${end}; exit 1`
        : `${start}; sleep 1; ${end}`;
      const max_retries = kind < 9 && kind >= 7 ? 1 : 3;
      // The self-killers come due one by one, 600 ms apart, and go first, so each retry starts
      // as soon as its backoff allows, while a surviving orphan would still be running.
      const killer = SELF_KILLERS.has(`c${i}`)
        ? { priority: 10, delay: `${300 + 600 * Math.floor(i / 40)}ms` }
        : {};
      lines.push(JSON.stringify({ id: `c${i}`, command, max_retries, ...killer }));
    }
    deepStrictEqual(
      (await cli(db, ["enqueue", "--file", "-"], { stdin: lines.join("\n") })).code,
      0,
    );

    // 8 slots in 4 processes: each kill -9 ends every job its process runs at once.
    const workers = startWorkers(db, 8, { args: ["--processes", "4"] });
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
          const long = runningJobs(w).find((r) => /^c\d*9$/.test(r.id));
          if (kills.has(w.pid) || !long) continue;
          const job = await getJob(store, long.id);
          if (job?.state !== "processing" || job.worker !== w.id) continue;
          try {
            Deno.kill(w.pid, "SIGSTOP");
          } catch {
            continue; // A self-killing job ended it meanwhile.
          }
          const still = await getJob(store, long.id);
          // A process frozen inside a SQLite write would hold the file's lock and stall every
          // other writer (SQLite, not queuectl): only keep a freeze that leaves writes possible.
          if (
            still?.state === "processing" && still.worker === w.id && still.runs === job.runs &&
            await writable(store)
          ) {
            return { pid: w.pid, job: job.id, run: job.runs };
          }
          resume(w.pid); // It finished that job in between: try another.
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
      const frozenSurvived = resume(frozen.pid);
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

      // Side effects match attempts: no (job, attempt) ran twice, each ran attempt is recorded,
      // and no two runs of one job overlapped in time.
      const effects = (await Deno.readTextFile(side)).trim().split("\n").map((l) => {
        const [id, n, what, t] = l.split(" ");
        return { id: id!, n: Number(n), what: what!, t: Number(t) };
      });
      const starts = effects.filter((e) => e.what === "start");
      const ran = starts.map((e) => `${e.id} ${e.n}`);
      deepStrictEqual(new Set(ran).size, ran.length, "an attempt number ran twice");
      const overlaps = findOverlaps(effects);
      deepStrictEqual(overlaps, [], "a run went on after the next run of its job had started");
      const recoveries: number[] = [];
      let orphansKilled = 0;
      for (const job of all) {
        const history = await listAttempts(store, job.id);
        deepStrictEqual(history.map((a) => a.n), history.map((_, i) => i + 1));
        deepStrictEqual(history.length, job.runs);
        ok(job.attempts <= 1 + job.max_retries, `${job.id} ran too often`);
        ok(history.every((a) => a.outcome !== null), `${job.id} has an unfinished attempt`);
        const wins = history.filter((a) => a.outcome === "succeeded");
        ok(wins.length <= 1, `${job.id} succeeded twice`);
        if (job.state === "completed") deepStrictEqual(history.at(-1)?.outcome, "succeeded");
        // A run that killed its own worker at its start left its processes behind, and the
        // recovery killed them and said so.
        // Under load no worker may get to the recovery before the run's 2.5 s are over; a run
        // that ended on its own left nothing to kill (and the overlap check covers its timing).
        const first = history[0];
        const endedAlone = effects.some((e) => e.id === job.id && e.n === 1 && e.what === "end");
        if (
          SELF_KILLERS.has(job.id) && !endedAlone &&
          starts.some((e) => e.id === job.id && e.n === 1)
        ) {
          ok(
            first?.outcome === "worker_lost" && (first.orphans_killed ?? 0) >= 1,
            `${job.id}'s first run outlived its worker unrecorded: ${JSON.stringify(history)}; ${
              JSON.stringify(effects.filter((e) => e.id === job.id))
            }`,
          );
        }
        orphansKilled += history.reduce((n, a) => n + (a.orphans_killed ?? 0), 0);
        for (const e of starts.filter((e) => e.id === job.id)) {
          ok(history.some((a) => a.n === e.n), `${job.id} run ${e.n} has no recorded attempt`);
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
        `chaos: ${kills.size} workers killed -9 by the test and ${SELF_KILLERS.size} by their jobs; ` +
          `${orphansKilled} leftover processes killed; recovery after kill median ${
            median(recoveries)
          } ms, max ${Math.max(...recoveries)} ms (n=${recoveries.length}); ` +
          `frozen worker's job recovered after ${recoveredFrozenMs} ms (lease 1500 ms)`,
      );
      ok(workers.log().includes("worker.crashed"), "the supervisor did not report the crashes");
      // Its late result is refused, unless a self-killing job in its other slot ended it first.
      ok(
        !frozenSurvived || workers.log().includes("job.result_refused"),
        "the frozen worker's late result was not refused",
      );
    } finally {
      // A stopped process never exits: resume it before asking everything to stop.
      if (frozenPid !== null) resume(frozenPid);
      await workers.stop();
    }
  },
});
