/**
 * The exit code of a wait on jobs (pure): the job's own for one job, else all-or-nothing. The
 * codes for ends without an exit code are in `EXIT` (`exit.ts`), documented in the README.
 *
 * @module
 */
import { FINAL_STATES, type Job } from "../job.ts";
import { EXIT } from "./exit.ts";

/**
 * The exit code one job's end stands for, like `tsp -w`: 0 completed, the last attempt's exit
 * code for a dead job (`EXIT.dead` when it had none: a signal, a timeout, a lost worker),
 * `EXIT.canceled`, and `EXIT.failed` for a job deleted meanwhile (pure).
 *
 * @example
 * ```ts
 * import type { Job } from "../job.ts";
 * declare const job: Job; // dead, its last attempt exited 7
 * jobExitCode(job); // 7
 * ```
 */
export function jobExitCode(job: Job | null): number {
  if (job === null) return EXIT.failed;
  switch (job.state) {
    case "completed":
      return EXIT.ok;
    case "dead":
      return job.exit_code !== null && job.exit_code !== 0 ? job.exit_code : EXIT.dead;
    case "canceled":
      return EXIT.canceled;
    default:
      return EXIT.timedOut; // Still running: the wait gave up.
  }
}

/**
 * The exit code of a wait: `EXIT.timedOut` if it gave up first; for one job, or with `any` the
 * first to end, that job's code ({@linkcode jobExitCode}); for several, 0 when all completed and
 * 1 otherwise (pure).
 *
 * @example
 * ```ts
 * waitExitCode([null, null], { any: false }); // 1: both were deleted
 * ```
 */
export function waitExitCode(jobs: readonly (Job | null)[], options: { any?: boolean }): number {
  const ended = jobs.filter((j) => j === null || FINAL_STATES.includes(j.state));
  if (ended.length === 0 || (!options.any && ended.length < jobs.length)) return EXIT.timedOut;
  if (options.any) {
    // The first to end: a deleted job has no end time, so it counts as the earliest.
    const first = ended.reduce((a, b) => ((b?.finished_at ?? 0) < (a?.finished_at ?? 0) ? b : a));
    return jobExitCode(first ?? null);
  }
  if (jobs.length === 1) return jobExitCode(jobs[0] ?? null);
  return jobs.every((j) => j?.state === "completed") ? EXIT.ok : EXIT.failed;
}
