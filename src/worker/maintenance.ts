/**
 * A worker's housekeeping between jobs: promoting due scheduled jobs, firing due ticks of recurring
 * schedules, recovering the jobs of lost workers, finishing dependency propagations left undone, pruning the registry, retention purges and the metrics sweep. Any worker may do each
 * of them (every step is atomic), so each runs on its own timer rather than on one elected host.
 *
 * @module
 */
import { hooksOn } from "../finish_hook.ts";
import type { Config } from "../config.ts";
import type { Logger } from "../log.ts";
import { purgeJobs } from "../store/delete.ts";
import { sweepEnvBlobs } from "../store/env_blob.ts";
import { sweepMetrics } from "../store/metrics.ts";
import { sampleDepth } from "../store/metric_depth.ts";
import type { Store } from "../store/open.ts";
import { promoteDue } from "../store/promote.ts";
import { propagatePending } from "../store/propagate.ts";
import { recoverLost } from "../store/recover.ts";
import { pruneWorkers } from "../store/workers.ts";
import { fireDueSchedules } from "../store/schedule_tick.ts";
import { isProcessAlive } from "./process_group.ts";
import { killRunProcesses } from "./orphans.ts";
import { dropKillTally, killedCount, tallyKills } from "./kill_tally.ts";
import { dropResultNote, readResultNote } from "./result_notes.ts";

/**
 * How often a worker looks for lost jobs (and does the rest of its slower housekeeping): once a
 * heartbeat, but not more than twice a second.
 *
 * @example
 * ```ts
 * recoveryLookMs({ heartbeat_ms: 200 }); // 500
 * ```
 */
export function recoveryLookMs(config: Pick<Config, "heartbeat_ms">): number {
  return Math.max(500, config.heartbeat_ms);
}

/**
 * The maintenance steps of one worker, each throttled. `run()` is called before every claim.
 *
 * @example
 * ```ts
 * import { Logger } from "../log.ts";
 * import { readConfig } from "../store/config_store.ts";
 * import type { Store } from "../store/open.ts";
 * declare const store: Store;
 * const log = new Logger();
 * const config = await readConfig(store);
 * const upkeep = new Maintenance(store, { host: "h", log });
 * await upkeep.run(config);
 * ```
 */
export class Maintenance {
  readonly #store: Store;
  readonly #host: string;
  readonly #self: string | undefined;
  readonly #log: Logger;
  #maintainedAt = 0;
  #sweptAt = 0;
  #promotedAt = 0;
  /** When the next schedule tick is due, as the last look saw it (0: look at once). */
  #tickAt = 0;
  #tickLookedAt = 0;

  /**
   * @param store the worker's store
   * @param options its host (for same-host recovery), its log, and its own worker id (`self`),
   * whose runs and entry it never takes as lost
   */
  constructor(store: Store, options: { host: string; log: Logger; self?: string }) {
    this.#store = store;
    this.#host = options.host;
    this.#self = options.self;
    this.#log = options.log;
  }

  /** Makes the next {@linkcode Maintenance.run} look for due jobs whatever the throttle says. */
  promoteSoon(): void {
    this.#promotedAt = 0;
    this.#tickAt = 0;
  }

  /** When the next schedule tick is due (ms), as last seen; Infinity when none waits. */
  get nextTickAt(): number {
    return this.#tickAt;
  }

  /** Does whatever is due: promotion at most every 20 ms, the rest once a heartbeat or so. */
  async run(config: Config): Promise<void> {
    const now = Date.now();
    // Due jobs are looked for at most every 20 ms: often enough for retry timing, rarely enough
    // to stay off the per-job path of short jobs. Schedules are looked for when the earliest
    // tick seen is due, and once a heartbeat or so for schedules added or resumed meanwhile (an
    // idle worker also hears their doorbell): a busy worker pays nothing per job for them. The
    // two looks are independent reads, taken together: a worker woken by the doorbell does both
    // before its claim.
    const promote = now - this.#promotedAt >= 20;
    const tick = now >= this.#tickAt || now - this.#tickLookedAt >= recoveryLookMs(config);
    if (promote) this.#promotedAt = now;
    if (tick) this.#tickLookedAt = now;
    const [, fired] = await Promise.all([
      promote ? promoteDue(this.#store, { now }) : null,
      tick ? fireDueSchedules(this.#store, { now, maxRetries: config.max_retries }) : null,
    ]);
    if (fired) {
      for (const job of fired.jobs) this.#log.info("schedule.fired", { job: job.id });
      this.#tickAt = fired.nextAt ?? Infinity;
    }
    if (now - this.#maintainedAt < recoveryLookMs(config)) return;
    this.#maintainedAt = now;
    await this.#recover(config, now);
    // The safety net of dependencies: outcomes a crashed process did not finish propagating.
    const propagated = await propagatePending(this.#store, { now, hooks: hooksOn(config) });
    if (propagated.released + propagated.canceled > 0) {
      this.#log.info("deps.propagated", { ...propagated });
    }
    const pruned = await pruneWorkers(this.#store, {
      now,
      leaseMs: config.lease_ms,
      host: this.#host,
      pidAlive: isProcessAlive,
      self: this.#self,
    });
    for (const id of pruned) this.#log.info("worker.pruned", { lost: id });
    const retention = [
      ["completed", config.retention_completed],
      ["dead", config.retention_dead],
    ] as const;
    for (const [state, age] of retention) {
      if (age > 0) await purgeJobs(this.#store, { state, before: now - age, max: 100 });
    }
    // Old minute buckets go once a minute; whichever worker looks first does it.
    if (now - this.#sweptAt >= 60_000) {
      this.#sweptAt = now;
      await sweepMetrics(this.#store, { now });
      // The pending count has no history: keep one point a minute for the dashboard's chart.
      await sampleDepth(this.#store, { now });
      // Environments no job references any more (their jobs were deleted or purged).
      await sweepEnvBlobs(this.#store);
    }
  }

  async #recover(config: Config, now: number): Promise<void> {
    const recovered = await recoverLost(this.#store, {
      now,
      leaseMs: config.lease_ms,
      settings: config,
      host: this.#host,
      self: this.#self,
      pidAlive: isProcessAlive,
      hooks: hooksOn(config),
      // The tally counts what every recoverer of this host killed, one that died midway too.
      killOrphans: async (run) => {
        const own = await killRunProcesses(run, {
          pgid: run.pgid,
          beforeKill: (pids) => tallyKills(run, pids),
        });
        return Math.max(own, killedCount(run));
      },
      lostCause: readResultNote,
      settled: (run) => {
        dropResultNote(run);
        dropKillTally(run);
      },
    });
    for (const r of recovered) {
      this.#log.warn("job.recovered", {
        job: r.job.id,
        state: r.job.state,
        reason: r.reason,
        orphans_killed: r.orphans || undefined,
      });
    }
  }
}
