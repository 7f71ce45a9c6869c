/**
 * One slot of a worker process: it runs one claimed job at a time, from spawn to result (output
 * sink, timeout, cancel, stop), and claims its next job in the same commit as the result. The
 * process loop around it (`worker_loop.ts`) fills free slots, beats for all of them and reads
 * their cancels and takeovers.
 *
 * @module
 */
import type { Config } from "../config.ts";
import { FINAL_STATES, type Job } from "../job.ts";
import type { Logger } from "../log.ts";
import type { Claimed } from "../store/claim.ts";
import type { MetricTally } from "../store/metric_tally.ts";
import type { Store } from "../store/open.ts";
import type { RunningJob } from "../worker_record.ts";
import { hooksOn } from "../finish_hook.ts";
import { holdsRun } from "../lease.ts";
import { runCommand } from "./run_command.ts";
import { type JobSettings, notStarted } from "./job_setting.ts";
import { OutputSink } from "./output_sink.ts";
import { type AbortWhy, toReport } from "./attempt_report.ts";
import { runEnv } from "./orphans.ts";
import { writeResult } from "./result_writer.ts";
import { watchStop } from "./stop_watch.ts";
import type { Completer } from "./completer.ts";

/**
 * What the heartbeat's read of a running job's record means for its slot (pure): recovered from
 * this worker while it was frozen or cut off (the retry may already run elsewhere), `taken_over`;
 * a cancel asked, `canceled`; else null.
 *
 * @example
 * ```ts
 * import type { Job } from "../job.ts";
 * declare const held: Job; // the run a slot holds
 * inboxVerdict(held, { ...held, cancel_requested: true }); // "canceled"
 * inboxVerdict(held, null); // "taken_over" (the job was deleted)
 * ```
 */
export function inboxVerdict(held: Job, now: Job | null): AbortWhy | null {
  if (!holdsRun(now, held)) return "taken_over";
  return now?.cancel_requested ? "canceled" : null;
}

/** What every slot of one worker process shares: {@linkcode Slot}'s constructor argument. */
export interface SlotContext {
  /** The open store. */
  store: Store;
  /** The worker process's id: every slot's jobs are claimed under it. */
  workerId: string;
  /** Aborted on any stop: no next claim; the running job gets `shutdown_grace_ms`. */
  signal: AbortSignal;
  /** Aborted on a forced stop: the running job is killed and requeued, uncharged. */
  force?: AbortSignal;
  /** The process's logger. */
  log: Logger;
  /** The process's metric counts, written with its transitions (shared by its slots). */
  tally: MetricTally;
  /** Per-job working folder and environment. */
  settings: JobSettings;
  /** The queues served, for the next claim; absent: all. */
  queues?: readonly string[];
  /** Asks the process to publish its registry entry soon: a process group to make known. */
  publishSoon: () => void;
  /** Told when a job's final result (and its hooks' outbox entry) is committed. */
  onFinal: () => void;
  /** The process's completer, which batches the slots' results; absent: each writes its own. */
  completer?: Completer;
}

/** The run a slot holds: its job, its abort, why it was aborted, and its process group. */
interface SlotRun {
  job: Job;
  abort: AbortController;
  why: AbortWhy | null;
  pgid: number | null;
}

/** How a slot's job ended: the job as written (null when refused by fencing), the next claim. */
export interface SlotEnd {
  /** The job as its result was written, or null when the result was refused. */
  written: Job | null;
  /** The job claimed in the same commit, or null. */
  next: Claimed | null;
}

/**
 * A slot: `execute()` runs one claimed job to its result. `running` says what it runs (for the
 * registry), `interrupt()` aborts it (a cancel, a takeover, a forced stop).
 *
 * @example
 * ```ts
 * import type { Config } from "../config.ts";
 * import type { Claimed } from "../store/mod.ts";
 * declare const context: SlotContext;
 * declare const claimed: Claimed;
 * declare const config: Config;
 * const slot = new Slot(context);
 * const { next } = await slot.execute(claimed, config);
 * ```
 */
export class Slot {
  readonly #ctx: SlotContext;
  #current: SlotRun | null = null;

  /** @param context what the process's slots share */
  constructor(context: SlotContext) {
    this.#ctx = context;
  }

  /** The run this slot holds, or null when free. */
  get job(): Job | null {
    return this.#current?.job ?? null;
  }

  /** The job it runs and its process group, as the registry lists it; null when free. */
  get running(): RunningJob | null {
    const cur = this.#current;
    return cur ? { id: cur.job.id, pgid: cur.pgid } : null;
  }

  /** Aborts the running job (once; the first reason wins) if it is still `job`'s run. */
  interrupt(why: AbortWhy, job?: Job): void {
    const cur = this.#current;
    if (!cur || cur.why || (job && job !== cur.job)) return;
    cur.why = why;
    cur.abort.abort(why);
  }

  /** Runs `claimed` to its end and writes its result; returns what was written and the next claim. */
  async execute(claimed: Claimed, config: Config): Promise<SlotEnd> {
    const ctx = this.#ctx;
    const { job } = claimed;
    const cur: SlotRun = { job, abort: new AbortController(), why: null, pgid: null };
    this.#current = cur;
    const stopWatch = watchStop(ctx, {
      graceMs: config.shutdown_grace_ms,
      interrupt: () => this.interrupt("interrupted", job),
    });
    try {
      const sink = new OutputSink(ctx.store, {
        id: job.id,
        n: job.runs,
        limit: config.output_limit,
      });
      ctx.log.info("job.started", { job: job.id, attempt: job.attempts });
      const timeout = job.timeout ?? (config.job_timeout > 0 ? config.job_timeout : null);
      const setting = await ctx.settings.prepare(job);
      const result = !setting.ok ? notStarted(setting.error) : await runCommand(job.command, {
        cwd: setting.cwd,
        timeoutMs: timeout,
        signal: cur.abort.signal,
        outputLimit: config.output_limit,
        plain: config.plain_exec,
        onOutput: (stream, chunk) => sink.push(stream, chunk),
        onSpawn: (pid) => {
          cur.pgid = pid;
          ctx.publishSoon();
        },
        // The marks let a recoverer find this run's processes even if this worker dies before
        // the process group above is published.
        env: {
          ...setting.env,
          ...runEnv({ worker: ctx.workerId, job: job.id, run: job.runs }),
          QUEUECTL_ATTEMPT: String(job.attempts),
        },
      });
      stopWatch();
      await sink.close();
      const folderGone = result.pid === null && !result.aborted && setting.ok
        ? await ctx.settings.whyNotStarted(job)
        : null;
      const report = toReport(folderGone ? notStarted(folderGone) : result, cur.why, sink.summary);
      // A job that cannot run on this host as it is ends at once, with no retry spent.
      if (!setting.ok || folderGone) report.final = true;
      // The slot is free from here on (its process group is gone): the registry stops listing it.
      this.#current = null;
      const { job: written, next } = await writeResult(ctx.store, claimed, report, {
        now: Date.now(),
        settings: config,
        tally: ctx.tally,
        log: ctx.log,
        stopping: ctx.signal,
        force: ctx.force,
        graceMs: config.shutdown_grace_ms,
        hooks: hooksOn(config),
        queues: ctx.queues,
        clock: Date.now,
        handoff: ctx.completer &&
          ((c, r) =>
            ctx.completer!.submit(c, r, {
              now: Date.now(),
              settings: config,
              hooks: hooksOn(config),
              wantNext: !ctx.signal.aborted,
            })),
      });
      if (written && hooksOn(config) && FINAL_STATES.includes(written.state)) ctx.onFinal();
      if (!written) {
        ctx.log.warn("job.result_refused", {
          job: job.id,
          attempt: job.runs,
          reason: "the attempt was taken over after this worker's lease lapsed",
        });
      } else {
        ctx.log.info(`job.${written.state}`, {
          job: job.id,
          exit: result.exitCode,
          ms: Math.round(result.durationMs),
          error: report.error,
        });
      }
      return { written, next };
    } finally {
      stopWatch();
      this.#current = null;
    }
  }
}
