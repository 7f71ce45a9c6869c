/**
 * One worker process: its slots each run one job at a time (claim → run → report, `slot.ts`);
 * this loop fills the free slots, beats for all of them, and runs maintenance and hooks.
 *
 * @module
 */
import type { Config } from "../config.ts";
import { Logger, type LogLevel } from "../log.ts";
import { type Claimed, claimNext } from "../store/claim.ts";
import { readConfig } from "../store/config_store.ts";
import { isWriteRefused } from "../store/db_errors.ts";
import { releaseClaim } from "../store/handoff.ts";
import { MetricTally } from "../store/metric_tally.ts";
import type { Store } from "../store/open.ts";
import { nextDueAt } from "../store/promote.ts";
import { queueCache } from "../store/queue_registry.ts";
import { removeWorker } from "../store/workers.ts";
import type { RunningJob } from "../worker_record.ts";
import { JobSettings } from "./job_setting.ts";
import { errorLine, sleep } from "./attempt_report.ts";
import { Maintenance } from "./maintenance.ts";
import { FinishHooks } from "./finish_hooks.ts";
import { Slot, type SlotContext } from "./slot.ts";
import { heartbeatLoop } from "./heartbeat.ts";
import { Completer } from "./completer.ts";
import { idleWaitMs } from "./idle_wait.ts";
import type { WorkerOptions } from "./worker_options.ts";

export type { WorkerOptions };
import { newEntry, RegistryEntry } from "./registry_entry.ts";

/**
 * A worker process's loop. `run()` works until stopped; `runOnce()` does a single step for tests.
 *
 * Each step:
 * 1. reload the configuration (at most once a second), so `config set` reaches running workers;
 * 2. maintenance: promote due scheduled jobs, fire due schedule ticks, recover jobs of lost
 *    workers, sweep old jobs;
 * 3. claim a job for each free slot (until one claim finds nothing) and start it; each slot
 *    then runs its job, reports the result and claims its next job in the same commit;
 * 4. when no job started, sleep until the doorbell rings, a slot frees, the next scheduled job
 *    is due, a schedule ticks, or `poll_interval_ms` passes.
 *
 * Beside it the heartbeat publishes the registry entry (every running job and its process
 * group) and reads each slot's job back: a cancel or a takeover stops only that slot's job.
 *
 * @example
 * ```ts
 * import type { Store } from "../store/open.ts";
 * declare const store: Store;
 * const stop = new AbortController();
 * const worker = new Worker(store, { id: "host:1:1", host: "host", signal: stop.signal, slots: 4 });
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
  /** This process's metric counts of the current minute, written with its own transitions. */
  readonly #tally: MetricTally;
  /** Runs the finish hooks of the outbox beside the jobs. */
  readonly #hooks: FinishHooks;
  readonly #slots: Slot[];
  /** The slots at work (running a job or writing its result), with their chain of jobs. */
  readonly #busy = new Map<Slot, Promise<void>>();
  /** Aborted when a slot frees or a stop comes, to end the idle wait; renewed at each step. */
  #freed = new AbortController();
  /** The first error a slot could not get past (the database is gone): the process fails. */
  #failure: { error: unknown } | null = null;
  readonly #entry: RegistryEntry;

  /** @param store an open store; @param options identity, slots and stop signals */
  constructor(store: Store, options: WorkerOptions) {
    this.#store = store;
    this.#opts = options;
    this.#log = options.log ?? new Logger({ fields: { worker: options.id } });
    this.#tally = new MetricTally(options.id);
    this.#upkeep = new Maintenance(store, { host: options.host, log: this.#log, self: options.id });
    this.#hooks = new FinishHooks(store, { worker: options.id, log: this.#log });
    const context: SlotContext = {
      store,
      workerId: options.id,
      signal: options.signal,
      force: options.force,
      log: this.#log,
      tally: this.#tally,
      settings: new JobSettings(store, options.host),
      queues: options.queues,
      publishSoon: () => this.#entry.beatSoon(),
      onFinal: () => this.#hooks.nudge(),
      completer: new Completer(store, {
        workerId: options.id,
        tally: this.#tally,
        queues: options.queues,
        running: () => this.#slots.filter((s) => s.job !== null).length,
      }),
    };
    const slots = Math.max(1, options.slots ?? 1);
    this.#slots = Array.from({ length: slots }, () => new Slot(context));
    const record = newEntry({ id: options.id, host: options.host, slots, now: Date.now() });
    this.#entry = new RegistryEntry(store, record, {
      jobs: () => this.#slots.flatMap((s) => s.running ?? []),
      stopping: options.signal,
    });
  }

  /** Records this host's measured clock offset; the next heartbeat publishes it. */
  setClockOffset(ms: number | null): void {
    this.#entry.setClockOffset(ms);
  }

  /** Works until the stop signal, lets the running jobs end, then deregisters. */
  async run(): Promise<void> {
    await this.#entry.beat();
    this.#log.info("worker.started", {
      pid: Deno.pid,
      host: this.#opts.host,
      slots: this.#slots.length,
      queues: this.#opts.queues?.join(","),
      wake: this.#store.doorbell.kind,
      strict: this.#store.db.strict,
    });
    // Say at once that a stop was taken (the registry shows `stopping` during the grace period),
    // not only after the running jobs have finished.
    const onStop = () => {
      const forced = this.#opts.force?.aborted ?? false;
      this.#log.info("worker.stopping", {
        jobs: this.#running().map((r) => r.id).join(",") || undefined,
        forced,
        grace_ms: this.#busy.size > 0 && !forced ? this.#config?.shutdown_grace_ms : undefined,
      });
      this.#entry.beat().catch(() => {});
      this.#freed.abort();
    };
    if (this.#opts.signal.aborted) onStop();
    else this.#opts.signal.addEventListener("abort", onStop, { once: true });
    const beating = new AbortController();
    const heartbeat = heartbeatLoop(beating.signal, {
      store: this.#store,
      workerId: this.#opts.id,
      log: this.#log,
      intervalMs: () => this.#config?.heartbeat_ms ?? 1000,
      beat: () => this.#entry.beat(),
      slots: this.#slots,
      onStopRequest: (force) => this.#requestStop(force),
      supervisorPid: this.#opts.supervisorPid,
    });
    const hooksStop = AbortSignal.any([this.#opts.signal, beating.signal]);
    const hooks = this.#hooks.run(hooksStop, () => this.#config);
    try {
      while (!this.#opts.signal.aborted && !this.#failure) {
        // Armed before the step, as the doorbell is: a slot freed during it ends the next wait.
        this.#freed = new AbortController();
        this.#store.doorbell.arm();
        const started = await this.#step();
        if (started === 0 && !this.#opts.signal.aborted) await this.#idle();
      }
      // Stopping: each slot's job finishes within the grace period (or is killed on a forced
      // stop) and its result is written; no slot claims again. A failed slot does not wait for
      // the others: their jobs are recovered as a dead worker's are.
      if (!this.#failure) await Promise.all(this.#busy.values());
      if (this.#failure) throw this.#failure.error;
    } catch (err) {
      // A worker that cannot write (disk full, database gone) must not linger heartbeating: its
      // heartbeat would keep its jobs leased forever. It exits; the supervisor restarts it, and
      // the jobs are recovered because its pid is gone (their processes killed by their marks).
      this.#log.error("worker.failed", {
        error: errorLine(err),
        jobs: this.#running().map((r) => r.id).join(",") || undefined,
      });
      throw err;
    } finally {
      beating.abort();
      this.#opts.signal.removeEventListener("abort", onStop);
      await heartbeat;
      await hooks;
      // A forced stop gives running hooks no grace: they run again elsewhere.
      await this.#hooks.stop(this.#opts.force?.aborted ? 0 : this.#config?.shutdown_grace_ms ?? 0);
      // Never let a late beat re-register the worker after it deregistered.
      await this.#entry.close();
      await removeWorker(this.#store, this.#opts.id).catch(() => {});
      this.#log.info("worker.stopped", { processed: this.#entry.processed });
    }
  }

  /**
   * One step: config, maintenance, then a claim for each free slot (until one finds nothing),
   * whose jobs start at once. Returns how many started; `settled()` waits for them.
   */
  async runOnce(): Promise<number> {
    const config = await this.#configNow();
    // The queue registry the claims need (read again after every wake) comes in beside the
    // maintenance reads, not after them: one round trip less between a doorbell and a start.
    await Promise.all([
      this.#upkeep.run(config),
      queueCache(this.#store).read(this.#store, Date.now()),
    ]);
    let started = 0;
    for (const slot of this.#slots) {
      if (this.#opts.signal.aborted || this.#failure) break;
      if (this.#busy.has(slot)) continue;
      const claimed = await claimNext(this.#store, {
        workerId: this.#opts.id,
        now: Date.now(),
        tally: this.#tally,
        queues: this.#opts.queues,
        clock: Date.now,
      });
      if (!claimed) break;
      this.#start(slot, claimed);
      started++;
    }
    return started;
  }

  /**
   * `runOnce()`, except that a write the database refuses while a slot is at work (holding a
   * result the full disk refused, `result_writer.ts`) does not end the process: the slot keeps
   * its result, and the loop tries again after a wait. With no slot at work the process fails,
   * as a worker that cannot write must (see `run()`).
   */
  async #step(): Promise<number> {
    try {
      return await this.runOnce();
    } catch (err) {
      if (!isWriteRefused(err) || this.#busy.size === 0) throw err;
      this.#log.warn("worker.step_failed", { error: errorLine(err) });
      return 0;
    }
  }

  /** Waits until every slot is free. */
  async settled(): Promise<void> {
    while (this.#busy.size > 0) await Promise.all(this.#busy.values());
  }

  /** Runs `claimed` in `slot`, then each job claimed with the previous result, until none. */
  #start(slot: Slot, claimed: Claimed): void {
    const chain = (async () => {
      let next: Claimed | null = claimed;
      while (next) {
        const end = await slot.execute(next, await this.#configNow());
        this.#entry.countProcessed();
        next = end.next;
        // Claimed with the result just as a stop came: it goes back, uncharged.
        if (next && (this.#opts.signal.aborted || this.#failure)) {
          await releaseClaim(this.#store, next, { now: Date.now() }).catch(() => {});
          next = null;
        }
      }
    })().catch((error) => {
      this.#failure ??= { error };
    }).finally(() => {
      this.#busy.delete(slot);
      this.#freed.abort();
    });
    this.#busy.set(slot, chain);
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
    const queues = queueCache(this.#store);
    // A queue over its rate starts again at a known time: wake then, not before.
    const ms = idleWaitMs({
      now: Date.now(),
      pollMs: config.poll_interval_ms,
      dueAt: await nextDueAt(this.#store),
      tickAt: this.#upkeep.nextTickAt,
      retryAt: queues.retryAt,
    });
    // With every slot busy a ring brings nothing to claim: a freed slot, a stop, a due time or
    // the poll interval ends the wait (maintenance runs while the slots work).
    if (this.#busy.size >= this.#slots.length) await sleep(ms, this.#freed.signal);
    else await this.#store.doorbell.wait(ms, this.#freed.signal);
    this.#upkeep.promoteSoon(); // Whatever woke us, look for due jobs at once.
    queues.invalidate(); // A `queue resume` or `queue set` rings the doorbell: read them again.
  }

  #running(): RunningJob[] {
    return this.#slots.flatMap((s) => s.running ?? []);
  }

  #requestStop(force: boolean): void {
    const level = force ? 2 : 1;
    if (level <= this.#stopAsked) return;
    this.#stopAsked = level;
    this.#log.info("worker.stop_requested", { force });
    this.#opts.onStopRequest?.(force);
  }
}
