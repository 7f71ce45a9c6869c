/**
 * Waiting for jobs to end, for `queuectl wait`, `enqueue --wait` and `logs --follow`. On a file
 * the waiter listens on the end bell (`<db>.ended`, which every job's end rings once a waiter has
 * made it); on a remote KV it watches the job records themselves, which over KV Connect sees every
 * client's writes. Either way each wait is also bounded by a slow poll, so a missed ring costs
 * at most one poll, never a hang.
 *
 * @module
 */
import { FINAL_STATES, type Job } from "../job.ts";
import { REMOTE_LIMITS } from "./db.ts";
import { keys } from "./keys.ts";
import type { Store } from "./open.ts";

/** Watch streams one remote wait opens at most: each is a connection held open to the server. */
const MAX_WATCH_STREAMS = 10;

/** Options of {@linkcode waitJobs}. */
export interface WaitJobsOptions {
  /** Return when the first job ends, not all of them. Default false. */
  any?: boolean;
  /** The fallback poll, in ms: the longest a missed ring can delay the answer. Default 1000. */
  pollMs?: number;
  /** Gives up waiting (a `--timeout`, Ctrl+C): the jobs are then returned as they are. */
  signal?: AbortSignal;
}

/** How waited jobs stood when the wait returned: null for a job that was deleted meanwhile. */
export type WaitedJobs = (Job | null)[];

/**
 * True when the wait is over: every job (or, with `any`, one) ended or went away (pure).
 *
 * @example
 * ```ts
 * waitDone([null], { any: false }); // true: a deleted job never ends
 * ```
 */
export function waitDone(jobs: WaitedJobs, options: { any?: boolean }): boolean {
  const ended = (job: Job | null) => job === null || FINAL_STATES.includes(job.state);
  return options.any ? jobs.some(ended) : jobs.every(ended);
}

/**
 * Waits until the jobs `ids` end (all of them, or with `any` the first) or `signal` aborts, and
 * returns them as they then stand, in the order of `ids`. Reads each job once per ring or poll.
 *
 * @example
 * ```ts
 * import type { Store } from "./open.ts";
 * declare const store: Store;
 * const [job] = await waitJobs(store, ["a1"], { signal: AbortSignal.timeout(60_000) });
 * job?.state; // "completed", "dead" or "canceled", unless the minute ran out
 * ```
 */
export async function waitJobs(
  store: Store,
  ids: readonly string[],
  options: WaitJobsOptions = {},
): Promise<WaitedJobs> {
  const pollMs = options.pollMs ?? 1000;
  const { signal } = options;
  const watch = store.remote ? new JobWatch(store, ids) : null;
  // A job seen ended stays ended for this wait (a `dlq retry` later starts a new story), so
  // each round reads only the jobs still open.
  const jobs: WaitedJobs = [];
  let open = ids.map((_, i) => i);
  try {
    for (;;) {
      // Armed before the read: an end between the read and the wait is not lost.
      if (watch) watch.arm();
      else store.endBell.arm();
      const read = await readJobs(store, open.map((i) => ids[i]!));
      open.forEach((i, k) => (jobs[i] = read[k] ?? null));
      open = open.filter((i) => !waitDone([jobs[i] ?? null], {}));
      if (waitDone(jobs, options) || signal?.aborted) return jobs;
      if (watch) await watch.wait(pollMs, signal);
      else await store.endBell.wait(pollMs, signal);
      // Every job's end rings, so a wait on many jobs would read them all per ring: it pauses
      // 1 ms per open job (at most the poll) between rounds, so that its reads (one per ten
      // open jobs) take a small share of the wait.
      if (open.length > 10) await pause(Math.min(pollMs, open.length), signal);
    }
  } finally {
    watch?.close();
  }
}

/** Sleeps `ms`, or less when `signal` aborts. */
function pause(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener("abort", done, { once: true });
  });
}

/**
 * The jobs `ids` as they stand, null for a missing one, in the order of `ids` (10 keys a read).
 *
 * @example
 * ```ts
 * import type { Store } from "./open.ts";
 * declare const store: Store;
 * const [a1] = await readJobs(store, ["a1"]);
 * ```
 */
export async function readJobs(store: Store, ids: readonly string[]): Promise<WaitedJobs> {
  return (await store.db.getMany<Job>(ids.map(keys.job))).map((e) => e.value);
}

/**
 * Watches the job records (in groups of the watch limit) and wakes on any change of them. At most
 * `MAX_WATCH_STREAMS` streams are opened (100 jobs); the ends of the rest wait for the poll.
 */
class JobWatch {
  #rung = false;
  #wake: (() => void) | null = null;
  readonly #readers: ReadableStreamDefaultReader<unknown>[] = [];

  constructor(store: Store, ids: readonly string[]) {
    const watched = ids.slice(0, MAX_WATCH_STREAMS * REMOTE_LIMITS.getMany);
    for (let i = 0; i < watched.length; i += REMOTE_LIMITS.getMany) {
      const reader = store.db.watch(watched.slice(i, i + REMOTE_LIMITS.getMany).map(keys.job))
        .getReader();
      this.#readers.push(reader);
      (async () => {
        try {
          // The first event is the current value; a spurious wake costs one read.
          for (;;) {
            if ((await reader.read()).done) return;
            this.#rung = true;
            this.#wake?.();
          }
        } catch {
          // The stream broke: the poll still bounds each wait.
        }
      })();
    }
  }

  arm(): void {
    this.#rung = false;
  }

  wait(ms: number, signal?: AbortSignal): Promise<void> {
    if (this.#rung) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        signal?.removeEventListener("abort", done);
        this.#wake = null;
        resolve();
      };
      const timer = setTimeout(done, ms);
      signal?.addEventListener("abort", done, { once: true });
      this.#wake = done;
    });
  }

  close(): void {
    for (const reader of this.#readers) reader.cancel().catch(() => {});
  }
}
