/**
 * Writing a finished attempt's result, and holding it while the database refuses writes.
 *
 * A command that ran to its end has a result worth keeping: on a full disk (or a database gone
 * read-only) the worker does not exit, which would leave the job to be run again as "worker
 * lost: its process exited". It keeps the result and tries again, backing off to one try every
 * 2 s, until the write gets through. SQLite rolls a refused write back, so trying it again is
 * safe, and fencing still holds: the attempt's record is checked on every try.
 *
 * While it waits its heartbeats fail too, so once writes work again recovery may take the
 * attempt first ("worker lost: no heartbeat"). The result is then refused, as any late result
 * is, and the job runs again (at least once, never lost); the worker adds the real cause to that
 * attempt's record ({@linkcode noteUnwrittenResult}). It gives up only when stopped: at once
 * on a forced stop, after `shutdown_grace_ms` on a graceful one. It then logs `job.result_lost`
 * and fails. From the first refusal until the write gets through, a note on this host's disk
 * (`result_notes.ts`) says what became of the run, so that a recovery after the worker stopped
 * or was killed still records the real cause in front of "worker lost".
 *
 * @module
 */
import type { Logger } from "../log.ts";
import { FINAL_STATES, type Job } from "../job.ts";
import type { Claimed } from "../store/claim.ts";
import { isWriteRefused } from "../store/db_errors.ts";
import { type AttemptReport, finishAttempt, type FinishOptions } from "../store/finish.ts";
import { finishAndClaimNext, type Handoff } from "../store/handoff.ts";
import type { Store } from "../store/open.ts";
import { propagateDone } from "../store/propagate.ts";
import { noteUnwrittenResult } from "../store/unwritten_result.ts";
import { errorLine, sleep } from "./attempt_report.ts";
import { dropResultNote, writeResultNote } from "./result_notes.ts";
import type { RunMark } from "./orphans.ts";

/** Options of {@linkcode writeResult}. */
export interface ResultOptions extends FinishOptions {
  /** Where the holding and giving up are logged. */
  log: Logger;
  /** Aborted once the worker is stopping: the result is then written without a next claim. */
  stopping: AbortSignal;
  /** Aborted on a forced stop: a result still unwritten is given up at once. */
  force?: AbortSignal;
  /** How long a stopping worker keeps trying before it gives up, in ms. */
  graceMs: number;
  /** The longest wait between two tries, in ms. Default 2000. */
  maxDelayMs?: number;
  /** The queues the worker serves, for its next claim; absent: all. */
  queues?: readonly string[];
  /** The clock that stamps the next claim (see `ClaimOptions.clock`). */
  clock?: () => number;
  /**
   * Writes the result with the next claim in place of `finishAndClaimNext` (a worker's
   * completer, which batches its slots' results); absent: written by itself.
   */
  handoff?: (claimed: Claimed, report: AttemptReport) => Promise<Handoff>;
}

/**
 * Writes `report` as the end of `claimed` and, unless the worker is stopping, claims its next
 * job in the same commit. A write the database refuses is tried again (see the module doc).
 * Returns the finished job as written (null when refused by fencing) and the next claim.
 *
 * @example
 * ```ts
 * import { Logger } from "../log.ts";
 * import type { RetrySettings } from "../retry_policy.ts";
 * import type { Claimed } from "../store/claim.ts";
 * import type { AttemptReport } from "../store/finish.ts";
 * import type { Store } from "../store/open.ts";
 * declare const store: Store;
 * declare const claimed: Claimed;
 * declare const report: AttemptReport;
 * declare const settings: RetrySettings;
 * declare const stopping: AbortSignal; // aborted when the worker is asked to stop
 * const now = Date.now();
 * const log = new Logger();
 * const graceMs = 30_000;
 * const { job, next } = await writeResult(store, claimed, report, { now, settings, log, stopping, graceMs });
 * ```
 */
export async function writeResult(
  store: Store,
  claimed: Claimed,
  report: AttemptReport,
  options: ResultOptions,
): Promise<Handoff> {
  let refused: unknown = null;
  let refusedAt = 0;
  let delay = 100;
  const giveUp = giveUpSignal(options);
  try {
    for (;;) {
      try {
        // After a refusal, no next claim: the result alone is the smallest write.
        const handoff = options.stopping.aborted || refused !== null
          ? { job: await finishAttempt(store, claimed, report, options), next: null }
          : options.handoff
          ? await options.handoff(claimed, report)
          : await finishAndClaimNext(store, claimed, report, options);
        if (refused !== null) {
          await afterHold(store, claimed, report, handoff, refused, options);
          dropResultNote(runOf(claimed));
        }
        await propagateOutcome(store, handoff.job, options);
        return handoff;
      } catch (err) {
        if (!isWriteRefused(err)) throw err;
        const fields = { ...attemptFields(claimed, report), error: errorLine(err) };
        if (refused === null) {
          options.log.warn("job.result_unwritten", { ...fields, hint: "retrying until it fits" });
          refusedAt = Date.now();
          writeResultNote(runOf(claimed), unwrittenNote(err, report));
        }
        refused = err;
        if (giveUp.signal.aborted) {
          options.log.error("job.result_lost", { ...fields, held_ms: Date.now() - refusedAt });
          throw err;
        }
        await sleep(delay, giveUp.signal);
        delay = Math.min(delay * 2, options.maxDelayMs ?? 2000);
      }
    }
  } finally {
    giveUp.dispose();
  }
}

/** Logs how a held result ended, and notes the real cause on an attempt recovery took. */
async function afterHold(
  store: Store,
  claimed: Claimed,
  report: AttemptReport,
  handoff: Handoff,
  refused: unknown,
  options: ResultOptions,
): Promise<void> {
  const fields = attemptFields(claimed, report);
  if (handoff.job) return options.log.info("job.result_written", fields);
  const note = unwrittenNote(refused, report);
  const attempt = { id: claimed.job.id, n: claimed.job.runs, worker: claimed.job.worker ?? "" };
  const noted = await noteUnwrittenResult(store, attempt, note).catch((err) => {
    options.log.warn("job.result_note_failed", { ...fields, error: errorLine(err) });
    return false;
  });
  if (noted) options.log.warn("job.result_noted", { ...fields, note });
}

/**
 * What became of a run whose result the database refused (pure): the cause and the outcome.
 *
 * @example
 * ```ts
 * import type { AttemptReport } from "../store/finish.ts";
 * const report: AttemptReport = {
 *   outcome: "succeeded",
 *   exit_code: 0,
 *   error: null,
 *   signal: null,
 *   duration_ms: 12,
 *   output: { stdout_bytes: 3, stderr_bytes: 0, truncated: false },
 * };
 * unwrittenNote(new Error("database error: database or disk is full"), report);
 * // "result could not be written: database or disk is full (the command succeeded, exit 0)"
 * ```
 */
export function unwrittenNote(refused: unknown, report: AttemptReport): string {
  const cause = errorLine(refused).replace(/^database error: /, "");
  const exit = report.exit_code === null ? report.signal ?? "none" : report.exit_code;
  return `result could not be written: ${cause} (the command ${report.outcome}, exit ${exit})`;
}

function runOf(claimed: Claimed): RunMark {
  return { worker: claimed.job.worker ?? "", job: claimed.job.id, run: claimed.job.runs };
}

function attemptFields(claimed: Claimed, report: AttemptReport) {
  return { job: claimed.job.id, attempt: claimed.job.runs, outcome: report.outcome };
}

/** Aborts on a forced stop, or `graceMs` after a graceful one. */
function giveUpSignal(options: ResultOptions): { signal: AbortSignal; dispose(): void } {
  const ctl = new AbortController();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const onForce = () => ctl.abort();
  const onStop = () => {
    timer = setTimeout(() => ctl.abort(), options.graceMs);
  };
  if (options.force?.aborted) ctl.abort();
  else options.force?.addEventListener("abort", onForce, { once: true });
  if (options.stopping.aborted) onStop();
  else options.stopping.addEventListener("abort", onStop, { once: true });
  return {
    signal: ctl.signal,
    dispose() {
      clearTimeout(timer);
      options.force?.removeEventListener("abort", onForce);
      options.stopping.removeEventListener("abort", onStop);
    },
  };
}

/**
 * Tells the dependents of a job that just became final its outcome. A follow-up, not part of
 * the finish commit: a failure here is left to maintenance, which finds the `dep_done` marker.
 */
async function propagateOutcome(
  store: Store,
  job: Job | null,
  options: { log: Logger; hooks?: boolean },
): Promise<void> {
  if (!job?.dependents || !FINAL_STATES.includes(job.state)) return;
  try {
    await propagateDone(store, job.id, { now: Date.now(), hooks: options.hooks });
  } catch (err) {
    options.log.warn("job.propagation_deferred", { job: job.id, error: errorLine(err) });
  }
}
