/**
 * Writing an attempt's result, only while the writer still owns the attempt (fencing).
 *
 * @module
 */
import { type Attempt, FINAL_STATES, type Job } from "../job.ts";
import { newId } from "../ids.ts";
import { afterAttempt, type AttemptEnd, type RetrySettings } from "../retry_policy.ts";
import { Tx } from "./db.ts";
import { keys } from "./keys.ts";
import { applyTransition } from "./transition.ts";
import type { Store } from "./open.ts";
import type { Claimed } from "./claim.ts";
import type { MetricTally } from "./metric_tally.ts";
import type { MetricSink } from "./metric_sink.ts";
import { commitCounted } from "./counted_commit.ts";
import { ringIfRoomFreed } from "./queue_registry.ts";

/** The full report of a finished attempt. */
export interface AttemptReport extends AttemptEnd {
  /** Signal that ended the process, if any. */
  signal: string | null;
  /** Run time in ms. */
  duration_ms: number;
  /** Output sizes, and whether the stored copy was cut at the limit. */
  output: Attempt["output"];
}

/** Options of {@linkcode finishAttempt}. */
export interface FinishOptions {
  /** The clock reading to stamp the result with. */
  now: number;
  /** Backoff settings for a failure. */
  settings: RetrySettings;
  /** The worker's metric tally, to count the result into (one write instead of counter keys). */
  tally?: MetricTally;
  /** A finish hook is configured: a final state writes its outbox entry (`hook_outbox.ts`). */
  hooks?: boolean;
}

/**
 * Records the end of a claimed attempt and moves the job on (completed, retry, dead, canceled or
 * back to pending). Returns the job as written, or null when the attempt is no longer this
 * worker's (it was recovered after a lost lease, or deleted): the late result is refused and
 * nothing is overwritten.
 *
 * @example
 * ```ts
 * import type { RetrySettings } from "../retry_policy.ts";
 * import type { Claimed } from "./claim.ts";
 * import type { Store } from "./open.ts";
 * declare const store: Store;
 * declare const claimed: Claimed;
 * declare const report: AttemptReport;
 * declare const settings: RetrySettings;
 * const job = await finishAttempt(store, claimed, report, { now: Date.now(), settings });
 * if (!job) console.warn("result refused: the attempt was taken over");
 * ```
 */
export async function finishAttempt(
  store: Store,
  claimed: Claimed,
  report: AttemptReport,
  options: FinishOptions,
): Promise<Job | null> {
  let before = claimed.job;
  let versionstamp = claimed.versionstamp;
  for (;;) {
    const tx = new Tx().check(keys.job(before.id), versionstamp);
    const { value: after, versionstamp: written } = await commitCounted(store, {
      tx,
      now: options.now,
      tally: options.tally,
      build: (metrics) => addFinish(tx, before, report, { ...options, metrics }),
    });
    if (written !== null) {
      if (after.state === "pending") await store.doorbell.ring();
      else await ringIfRoomFreed(store, [after], []);
      if (FINAL_STATES.includes(after.state)) await store.endBell.ring();
      return after;
    }
    // Something changed the record. Only a benign change (a cancel request) keeps it ours.
    const fresh = await store.db.get<Job>(keys.job(before.id));
    if (!fresh.value || !ownsAttempt(fresh.value, claimed.job)) return null;
    before = fresh.value;
    versionstamp = fresh.versionstamp!;
  }
}

/**
 * Adds to `tx` the end of `before`'s running attempt: the job's next state and the closed attempt
 * record. The caller adds the check of the record's versionstamp. Returns the job as written.
 * The result's metrics go to `options.metrics` (default: counter keys).
 */
export function addFinish(
  tx: Tx,
  before: Job,
  report: AttemptReport,
  options: FinishOptions & { metrics?: MetricSink },
): Job {
  const after: Job = { ...afterAttempt(before, report, options), seq: newId(options.now) };
  const attempt: Attempt = {
    n: before.runs,
    worker: before.worker ?? "",
    started_at: before.started_at ?? options.now,
    finished_at: options.now,
    exit_code: report.exit_code,
    signal: report.signal,
    outcome: after.state === "canceled" ? "canceled" : report.outcome,
    error: after.state === "completed" ? null : report.error,
    duration_ms: report.duration_ms,
    output: report.output,
  };
  applyTransition(tx, before, after, { metrics: options.metrics, hooks: options.hooks });
  tx.set(keys.attempt(before.id, attempt.n), attempt);
  return after;
}

/**
 * True while `current` is still the attempt `claimed` started: same worker, same run number,
 * still processing (pure).
 */
export function ownsAttempt(current: Job, claimed: Job): boolean {
  return current.state === "processing" && current.worker === claimed.worker &&
    current.runs === claimed.runs;
}
