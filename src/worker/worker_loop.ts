/**
 * One worker: claim → run → report, one job at a time, with a heartbeat beside it.
 *
 * @module
 */
import type { Config } from "../config.ts";
import { FINAL_STATES, type Job } from "../job.ts";
import { Logger, type LogLevel } from "../log.ts";
import { type Claimed, claimNext } from "../store/claim.ts";
import { readConfig } from "../store/config_store.ts";
import { releaseClaim } from "../store/handoff.ts";
import { MetricTally } from "../store/metric_tally.ts";
import type { Store } from "../store/open.ts";
import { nextDueAt } from "../store/promote.ts";
import { queueCache } from "../store/queue_registry.ts";
import { putWorker, readWorkerInbox, removeWorker, type WorkerRecord } from "../store/workers.ts";
import { runCommand } from "./run_command.ts";
import { JobSettings, notStarted } from "./job_setting.ts";
import { OutputSink } from "./output_sink.ts";
import { type AbortWhy, errorLine, sleep, toReport } from "./attempt_report.ts";
import { Maintenance } from "./maintenance.ts";
import { runEnv } from "./orphans.ts";
import { holdsRun } from "../lease.ts";
import { writeResult } from "./result_writer.ts";
import { FinishHooks } from "./finish_hooks.ts";
import { hooksOn } from "../finish_hook.ts";
import { watchStop } from "./stop_watch.ts";

/** Options of {@linkcode Worker}. */
export interface WorkerOptions {
  /** Unique id; by convention `host:pid:n`. */
  id: string;
  /** This host's name (recorded, and used to judge same-host recovery). */
  host: string;
  /** Aborting stops claiming; the running job gets `shutdown_grace_ms` to finish. */
  signal: AbortSignal;
  /** Aborting kills the running job and puts it back as pending without charging an attempt. */
  force?: AbortSignal;
  /** Logger; by default one on stderr. */
  log?: Logger;
  /**
   * Called when a stop is asked from afar (`worker stop` on another host, or the supervisor
   * vanished): the owner aborts `signal` or `force`, exactly as a local signal would.
   */
  onStopRequest?: (force: boolean) => void;
  /** The queues served, in order of preference (`--queues`); absent: every queue. */
  queues?: readonly string[];
}

/**
 * A worker loop. `run()` works until stopped; `runOnce()` does a single step for tests.
 *
 * Each step:
 * 1. reload the configuration (at most once a second), so `config set` reaches running workers;
 * 2. maintenance: promote due scheduled jobs, fire due schedule ticks, recover jobs of lost
 *    workers, sweep old jobs;
 * 3. claim one job and run it, heartbeating, until it ends; report the result;
 * 4. when there was nothing to do, sleep until the doorbell rings, the next scheduled job is
 *    due, a schedule ticks, or `poll_interval_ms` passes.
 *
 * @example
 * ```ts
 * import type { Store } from "../store/open.ts";
 * declare const store: Store;
 * const stop = new AbortController();
 * const worker = new Worker(store, { id: "host:1:1", host: "host", signal: stop.signal });
 * await worker.run();
 * ```
 */
export class Worker {
  readonly #store: Store;
  readonly #opts: WorkerOptions;
  readonly #log: Logger;
  #config: Config | null = null;
  #configAt = 0;
  readonly #upkeep: Maintenance;
  #stopAsked = 0;
  /** This worker's metric counts of the current minute, written with its own transitions. */
  readonly #tally: MetricTally;
  readonly #settings: JobSettings;
  /** Runs the finish hooks of the outbox beside the jobs. */
  readonly #hooks: FinishHooks;
  /** A job already claimed (with the previous result) and not yet run. */
  #next: Claimed | null = null;
  #record: WorkerRecord;
  #current: { job: Job; abort: AbortController; why: AbortWhy | null; pgid: number | null } | null =
    null;

  /** @param store an open store; @param options identity and stop signals */
  constructor(store: Store, options: WorkerOptions) {
    this.#store = store;
    this.#opts = options;
    this.#log = options.log ?? new Logger({ fields: { worker: options.id } });
    this.#tally = new MetricTally(options.id);
    this.#upkeep = new Maintenance(store, { host: options.host, log: this.#log });
    this.#settings = new JobSettings(store, options.host);
    this.#hooks = new FinishHooks(store, { worker: options.id, log: this.#log });
    const now = Date.now();
    this.#record = {
      id: options.id,
      pid: Deno.pid,
      host: options.host,
      state: "idle",
      job: null,
      job_pgid: null,
      started_at: now,
      heartbeat_at: now,
      processed: 0,
      supervisor: Number(Deno.env.get("QUEUECTL_SUPERVISOR")) || null,
    };
  }

  /** Records this host's measured clock offset; the next heartbeat publishes it. */
  setClockOffset(ms: number | null): void {
    this.#record.clock_offset_ms = ms;
  }

  /** Works until the stop signal, then deregisters. */
  async run(): Promise<void> {
    await this.#beat();
    this.#log.info("worker.started", {
      pid: Deno.pid,
      host: this.#opts.host,
      queues: this.#opts.queues?.join(","),
      wake: this.#store.doorbell.kind,
      strict: this.#store.db.strict,
    });
    // Say at once that a stop was taken (the registry shows `stopping` during the grace period),
    // not only after the running job has finished.
    let stopBeat: Promise<void> = Promise.resolve();
    const onStop = () => {
      this.#record.state = "stopping";
      const forced = this.#opts.force?.aborted ?? false;
      this.#log.info("worker.stopping", {
        job: this.#current?.job.id,
        forced,
        grace_ms: this.#current && !forced ? this.#config?.shutdown_grace_ms : undefined,
      });
      stopBeat = this.#beat().catch(() => {});
    };
    if (this.#opts.signal.aborted) onStop();
    else this.#opts.signal.addEventListener("abort", onStop, { once: true });
    const beating = new AbortController();
    const heartbeat = this.#heartbeatLoop(beating.signal);
    const hooksStop = AbortSignal.any([this.#opts.signal, beating.signal]);
    const hooks = this.#hooks.run(hooksStop, () => this.#config);
    try {
      while (!this.#opts.signal.aborted) {
        this.#store.doorbell.arm();
        const worked = await this.runOnce();
        if (!worked && !this.#opts.signal.aborted) await this.#idle();
      }
    } catch (err) {
      // A worker that cannot write (disk full, database gone) must not linger heartbeating: its
      // heartbeat would keep its job leased forever. It exits; the supervisor restarts it, and
      // the job is recovered because its pid is gone.
      this.#log.error("worker.failed", { error: errorLine(err), job: this.#current?.job.id });
      throw err;
    } finally {
      beating.abort();
      this.#record.state = "stopping";
      this.#opts.signal.removeEventListener("abort", onStop);
      await heartbeat;
      await stopBeat; // Never let a late beat re-register the worker after it deregistered.
      await hooks;
      // A forced stop gives running hooks no grace: they run again elsewhere.
      await this.#hooks.stop(this.#opts.force?.aborted ? 0 : this.#config?.shutdown_grace_ms ?? 0);
      // A job claimed for the next round but never started goes back, uncharged.
      if (this.#next) {
        await releaseClaim(this.#store, this.#next, { now: Date.now() }).catch(() => {});
        this.#next = null;
      }
      await removeWorker(this.#store, this.#opts.id).catch(() => {});
      this.#log.info("worker.stopped", { processed: this.#record.processed });
    }
  }

  /** One step: config, maintenance, then at most one job. Returns whether a job ran. */
  async runOnce(): Promise<boolean> {
    const config = await this.#configNow();
    await this.#upkeep.run(config);
    if (this.#opts.signal.aborted) return false;
    const claimed = this.#next ??
      await claimNext(this.#store, {
        workerId: this.#opts.id,
        now: Date.now(),
        tally: this.#tally,
        queues: this.#opts.queues,
        clock: Date.now,
      });
    this.#next = null;
    if (!claimed) return false;
    await this.#execute(claimed, config);
    return true;
  }

  async #configNow(): Promise<Config> {
    const now = Date.now();
    if (!this.#config || now - this.#configAt >= 1000) {
      this.#config = await readConfig(this.#store);
      this.#configAt = now;
      // Queue settings are seen within a heartbeat (each claim still checks its queue's record).
      queueCache(this.#store).maxAgeMs = this.#config.heartbeat_ms;
      this.#log.level = this.#config.log_level as LogLevel;
    }
    return this.#config;
  }

  async #idle(): Promise<void> {
    const config = await this.#configNow();
    const due = Math.min(await nextDueAt(this.#store) ?? Infinity, this.#upkeep.nextTickAt);
    const queues = queueCache(this.#store);
    // A queue over its rate starts again at a known time: wake then, not before.
    const wake = Math.min(due, queues.retryAt ?? Infinity);
    await this.#store.doorbell.wait(
      Math.max(1, Math.min(config.poll_interval_ms, wake - Date.now())),
      this.#opts.signal,
    );
    this.#upkeep.promoteSoon(); // Whatever woke us, look for due jobs at once.
    queues.invalidate(); // A `queue resume` or `queue set` rings the doorbell: read them again.
  }

  async #execute(claimed: Claimed, config: Config): Promise<void> {
    const { job } = claimed;
    const abort = new AbortController();
    this.#current = { job, abort, why: null, pgid: null };
    this.#record = { ...this.#record, state: "busy", job: job.id, job_pgid: null };
    const stopWatch = watchStop(this.#opts, {
      graceMs: config.shutdown_grace_ms,
      interrupt: () => this.#abortCurrent("interrupted"),
    });
    const sink = new OutputSink(this.#store, {
      id: job.id,
      n: job.runs,
      limit: config.output_limit,
    });
    this.#log.info("job.started", { job: job.id, attempt: job.attempts });
    const timeout = job.timeout ?? (config.job_timeout > 0 ? config.job_timeout : null);
    let pgidBeat: ReturnType<typeof setTimeout> | undefined;
    const setting = await this.#settings.prepare(job);
    const result = !setting.ok ? notStarted(setting.error) : await runCommand(job.command, {
      cwd: setting.cwd,
      timeoutMs: timeout,
      signal: abort.signal,
      outputLimit: config.output_limit,
      plain: config.plain_exec,
      onOutput: (stream, chunk) => sink.push(stream, chunk),
      onSpawn: (pid) => {
        this.#current!.pgid = pid;
        this.#record.job_pgid = pid;
        // Publish the process group soon (a recoverer needs it to kill orphans), but not for
        // jobs that end within 50 ms: for those the write would cost more than the job.
        pgidBeat = setTimeout(() => this.#beat().catch(() => {}), 50);
      },
      // The marks let a recoverer find this run's processes even if this worker dies before
      // the process group above is published.
      env: {
        ...setting.env,
        ...runEnv({ worker: this.#opts.id, job: job.id, run: job.runs }),
        QUEUECTL_ATTEMPT: String(job.attempts),
      },
    });
    clearTimeout(pgidBeat);
    stopWatch();
    await sink.close();
    const why = this.#current.why;
    this.#current = null;
    const report = toReport(result, why, sink.summary);
    // A job that cannot run on this host as it is ends at once, with no retry spent.
    if (!setting.ok) report.final = true;
    // While it keeps working, the worker claims its next job in the same commit as this result.
    const { job: written, next } = await writeResult(this.#store, claimed, report, {
      now: Date.now(),
      settings: config,
      tally: this.#tally,
      log: this.#log,
      stopping: this.#opts.signal,
      force: this.#opts.force,
      graceMs: config.shutdown_grace_ms,
      hooks: hooksOn(config),
      queues: this.#opts.queues,
      clock: Date.now,
    });
    this.#next = next;
    // Its outbox entry is committed: its hooks start now, beside the next job.
    if (written && hooksOn(config) && FINAL_STATES.includes(written.state)) this.#hooks.nudge();
    const state = this.#opts.signal.aborted ? "stopping" : "idle";
    this.#record = { ...this.#record, state, job: null, job_pgid: null };
    this.#record.processed++;
    if (!written) {
      this.#log.warn("job.result_refused", {
        job: job.id,
        attempt: job.runs,
        reason: "the attempt was taken over after this worker's lease lapsed",
      });
      return;
    }
    this.#log.info(`job.${written.state}`, {
      job: job.id,
      exit: result.exitCode,
      ms: Math.round(result.durationMs),
      error: report.error,
    });
  }

  #abortCurrent(why: AbortWhy): void {
    const cur = this.#current;
    if (!cur || cur.why) return;
    cur.why = why;
    cur.abort.abort(why);
  }

  async #beat(): Promise<void> {
    this.#record.heartbeat_at = Date.now();
    await putWorker(this.#store, this.#record);
  }

  /** Beats until the worker stops; also notices cancel and stop requests made from afar. */
  async #heartbeatLoop(stop: AbortSignal): Promise<void> {
    const ppid = Deno.ppid;
    while (!stop.aborted) {
      const ms = this.#config?.heartbeat_ms ?? 1000;
      await sleep(ms, stop);
      if (stop.aborted) break;
      // The beat is one write and what it must notice is one read, sent together: a write that
      // fails (a full disk) must not keep a stop or a cancel from being seen.
      const cur = this.#current;
      const [beat, read] = await Promise.allSettled([
        this.#beat(),
        readWorkerInbox(this.#store, this.#opts.id, cur?.job.id ?? null),
      ]);
      for (const r of [beat, read]) {
        if (r.status === "rejected") {
          this.#log.warn("worker.heartbeat_failed", { error: errorLine(r.reason) });
        }
      }
      if (read.status === "fulfilled") {
        const { job, stop: request } = read.value;
        // Recovered from us while we were frozen or cut off, the retry may already run
        // elsewhere: this run stops now rather than beside it. Only the run that was read
        // about, though: it may have ended, and another begun, meanwhile.
        if (cur && cur === this.#current) {
          if (!holdsRun(job, cur.job)) this.#abortCurrent("taken_over");
          else if (job?.cancel_requested) this.#abortCurrent("canceled");
        }
        if (request) this.#requestStop(request.force);
      }
      // A supervisor killed with -9 cannot forward signals; its children notice and stop.
      if (Deno.ppid !== ppid) this.#requestStop(false);
    }
  }

  #requestStop(force: boolean): void {
    const level = force ? 2 : 1;
    if (level <= this.#stopAsked) return;
    this.#stopAsked = level;
    this.#log.info("worker.stop_requested", { force });
    this.#opts.onStopRequest?.(force);
  }
}
