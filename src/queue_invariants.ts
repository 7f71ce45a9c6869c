/**
 * The queue invariants `doctor` checks (pure): each queue's counters equal its jobs per state,
 * and no queue runs more jobs than its concurrency limit.
 *
 * @module
 */
import { type Job, JOB_STATES, type JobState } from "./job.ts";
import { queueOf, type QueueSettings } from "./queue.ts";

/** A queue rule broken, in the shape of `invariants.ts`' violations. */
export interface QueueViolation {
  /** `queue_counter_mismatch` (repaired by `doctor --repair`) or `queue_over_limit`. */
  kind: "queue_counter_mismatch" | "queue_over_limit";
  /** One readable sentence. */
  detail: string;
}

/**
 * Each queue's jobs per state, counted from the records (states without jobs count 0).
 *
 * @example
 * ```ts
 * import type { Job } from "./job.ts";
 * declare const jobs: Job[];
 * queueCounts(jobs).get("default")?.pending;
 * ```
 */
export function queueCounts(jobs: readonly Job[]): Map<string, Record<JobState, number>> {
  const out = new Map<string, Record<JobState, number>>();
  for (const job of jobs) {
    const q = queueOf(job);
    let counts = out.get(q);
    if (!counts) out.set(q, counts = zero());
    counts[job.state]++;
  }
  return out;
}

/**
 * The broken queue rules: a stored counter that differs from the jobs of its queue and state,
 * and a queue with more jobs processing than its limit.
 *
 * @example
 * ```ts
 * queueViolations([], new Map([["build", { pending: 1 } as never]]), new Map()).length; // 1
 * ```
 */
export function queueViolations(
  jobs: readonly Job[],
  stored: ReadonlyMap<string, Partial<Record<JobState, number>>>,
  settings: ReadonlyMap<string, QueueSettings>,
): QueueViolation[] {
  const out: QueueViolation[] = [];
  const actual = queueCounts(jobs);
  for (const q of new Set([...actual.keys(), ...stored.keys()])) {
    for (const state of JOB_STATES) {
      const have = stored.get(q)?.[state] ?? 0;
      const want = actual.get(q)?.[state] ?? 0;
      if (have === want) continue;
      out.push({
        kind: "queue_counter_mismatch",
        detail: `queue ${q}'s counter ${state} is ${have} but ${want} of its jobs are ${state}`,
      });
    }
  }
  for (const [q, s] of settings) {
    const running = actual.get(q)?.processing ?? 0;
    if (s.concurrency !== null && running > s.concurrency) {
      out.push({
        kind: "queue_over_limit",
        detail: `queue ${q} runs ${running} jobs, over its concurrency limit ${s.concurrency}`,
      });
    }
  }
  return out;
}

function zero(): Record<JobState, number> {
  return Object.fromEntries(JOB_STATES.map((s) => [s, 0])) as Record<JobState, number>;
}
