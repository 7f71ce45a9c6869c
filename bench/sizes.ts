/**
 * The sizes of a bench run: the full run's figures and the tiny smoke sizes for CI.
 *
 * @module
 */

/** Sizes of one bench run. */
export interface Sizes {
  /** Timed runs per B1 command (after warm-up). */
  b1Runs: number;
  /** Untimed warm-up runs per B1 command. */
  b1Warmup: number;
  /** Jobs in the B2 bulk enqueue. */
  b2Jobs: number;
  /** Jobs per B3 drain. */
  b3Jobs: number;
  /** Slot counts (`--count`) of B3's `true` drains; each from 4 up gets its own floor. */
  b3Workers: number[];
  /** Slot counts of B3's `sleep 0.05` drains (the tree's RSS is compared at the first and last). */
  b3SleepCounts: number[];
  /** Jobs per slot in each `sleep 0.05` drain (the drain takes this many rounds at best). */
  b3SleepRounds: number;
  /** Jobs in B4, and the gap between enqueues. */
  b4Jobs: number;
  /** Milliseconds between B4 enqueues. */
  b4GapMs: number;
  /** B8: `true` jobs enqueued one at a time, each after the last one finished (and for tsp). */
  e2eJobs: number;
  /** Jobs in B5. */
  b5Jobs: number;
  /** Milliseconds between B5 enqueues (so that retries come due one at a time). */
  b5GapMs: number;
  /** Queue depths of B6. */
  b6Depths: number[];
  /** Runs per CLI figure at each B6 depth. */
  b6CliRuns: number;
  /** B4 jobs at each B6 depth. */
  b6LatencyJobs: number;
  /** Iterations per primitive. */
  primitiveRuns: number;
  /** Jobs of the profiled drain. */
  profileJobs: number;
  /** R (`--remote`): jobs of the bulk enqueue and the drain, on each backend. */
  remoteJobs: number;
  /** R: workers of the drain and the wake-ups. */
  remoteWorkers: number;
  /** R: single `enqueue` CLI runs on each backend. */
  remoteEnqueueRuns: number;
  /** R: jobs enqueued one at a time to idle workers, on each backend. */
  remoteWakeJobs: number;
}

/** Full sizes: the figures, under 10 minutes on 2 cores. */
export const FULL: Sizes = {
  b1Runs: 30,
  b1Warmup: 3,
  b2Jobs: 100_000,
  b3Jobs: 2000,
  b3Workers: [1, 2, 4, 8],
  b3SleepCounts: [2, 8, 32],
  b3SleepRounds: 20,
  b4Jobs: 200,
  b4GapMs: 20,
  e2eJobs: 50,
  b5Jobs: 50,
  b5GapMs: 60,
  b6Depths: [0, 10_000, 100_000, 1_000_000],
  b6CliRuns: 10,
  b6LatencyJobs: 50,
  primitiveRuns: 300,
  profileJobs: 1000,
  remoteJobs: 600,
  remoteWorkers: 2,
  remoteEnqueueRuns: 5,
  remoteWakeJobs: 10,
};

/** Smoke sizes for CI: every workload runs, tiny, in well under a minute. */
export const SMOKE: Sizes = {
  b1Runs: 3,
  b1Warmup: 1,
  b2Jobs: 2000,
  b3Jobs: 100,
  b3Workers: [1, 2, 4, 8],
  b3SleepCounts: [2, 32],
  b3SleepRounds: 2,
  b4Jobs: 10,
  b4GapMs: 20,
  e2eJobs: 5,
  b5Jobs: 4,
  b5GapMs: 60,
  b6Depths: [0, 1000],
  b6CliRuns: 2,
  b6LatencyJobs: 5,
  primitiveRuns: 30,
  profileJobs: 100,
  remoteJobs: 20,
  remoteWorkers: 2,
  remoteEnqueueRuns: 2,
  remoteWakeJobs: 3,
};
