/**
 * Deciding whether a processing job's worker is gone (pure).
 *
 * @module
 */

/** What the recoverer knows about the worker that holds a job. */
export interface HolderView {
  /** Its registry entry's last heartbeat (ms), or null when it has no entry. */
  heartbeatAt: number | null;
  /** True when it runs on the recoverer's own host. */
  sameHost: boolean;
  /** On the same host: whether its pid is alive (null when unknown or another host). */
  pidAlive: boolean | null;
}

/**
 * Why a processing job counts as lost, or null while its worker may still be working on it.
 * A worker on another host is judged by its lease alone, because its pid means nothing here.
 *
 * @example
 * ```ts
 * lostReason({ heartbeatAt: 0, sameHost: false, pidAlive: null }, { now: 20_000, leaseMs: 10_000 });
 * // "worker lost: no heartbeat for 20s"
 * ```
 */
export function lostReason(
  holder: HolderView,
  options: { now: number; leaseMs: number },
): string | null {
  if (holder.heartbeatAt === null) return "worker lost: it is no longer registered";
  if (holder.sameHost && holder.pidAlive === false) return "worker lost: its process exited";
  const silent = options.now - holder.heartbeatAt;
  if (silent > options.leaseMs) {
    return `worker lost: no heartbeat for ${Math.round(silent / 1000)}s`;
  }
  return null;
}

/**
 * The host and pid in a worker id (`host:pid:suffix`), or null for an id of another shape (pure).
 *
 * @example
 * ```ts
 * workerAddress("build-7:4242:k3x9"); // { host: "build-7", pid: 4242 }
 * ```
 */
export function workerAddress(id: string): { host: string; pid: number } | null {
  const m = /^(.+):(\d+):[^:]*$/.exec(id);
  return m ? { host: m[1]!, pid: Number(m[2]) } : null;
}

/**
 * Whether `fresh`, the job record as read now, still shows the run `held` as its worker claimed
 * it: processing, under that worker, with that run number (pure). A worker that finds it no
 * longer does was judged lost while it ran (frozen, or cut off from a remote KV), and its run
 * has been recovered and may be running again elsewhere.
 *
 * @example
 * ```ts
 * import type { Job } from "./job.ts";
 * import type { Claimed } from "./store/claim.ts";
 * declare const fresh: Job | null; // the job's record, read again
 * declare const claimed: Claimed; // this worker's claim of it
 * holdsRun(fresh, claimed.job); // false once another worker recovered the job
 * ```
 */
export function holdsRun(
  fresh: { state: string; worker: string | null; runs: number } | null,
  held: { worker: string | null; runs: number },
): boolean {
  return fresh !== null && fresh.state === "processing" && fresh.worker === held.worker &&
    fresh.runs === held.runs;
}
