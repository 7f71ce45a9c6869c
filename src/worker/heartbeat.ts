/**
 * A worker process's heartbeat: it writes the registry entry and, in the same round trip, reads
 * back the stop request and the record of each job its slots run, so that a cancel or a
 * takeover stops only that slot's job.
 *
 * @module
 */
import type { Logger } from "../log.ts";
import type { Store } from "../store/open.ts";
import { readWorkerInbox } from "../store/workers.ts";
import { errorLine, sleep } from "./attempt_report.ts";
import { inboxVerdict, type Slot } from "./slot.ts";

/** Options of {@linkcode heartbeatLoop}. */
export interface HeartbeatOptions {
  /** The open store. */
  store: Store;
  /** The worker process's id. */
  workerId: string;
  /** Where failed beats are logged. */
  log: Logger;
  /** The time between beats now (`heartbeat_ms`, which `config set` may change). */
  intervalMs: () => number;
  /** Writes the registry entry. */
  beat: () => Promise<void>;
  /** The process's slots, whose jobs are read back. */
  slots: readonly Slot[];
  /** Told of a stop asked from afar (`worker stop`), or of the supervisor's end (graceful). */
  onStopRequest: (force: boolean) => void;
  /**
   * The supervisor that started this process (`QUEUECTL_SUPERVISOR`): once it is not the
   * parent, the supervisor is gone. Absent (a `worker run` started by hand): the parent at the
   * first beat counts.
   */
  supervisorPid?: number;
}

/**
 * Beats until `stop` aborts; also notices cancels, takeovers and stop requests.
 *
 * @example
 * ```ts
 * declare const options: HeartbeatOptions;
 * const stop = new AbortController();
 * const beating = heartbeatLoop(stop.signal, options);
 * stop.abort();
 * await beating;
 * ```
 */
export async function heartbeatLoop(stop: AbortSignal, options: HeartbeatOptions): Promise<void> {
  const { log } = options;
  // The supervisor's own pid, not the parent seen now: one killed while this process was still
  // starting has already handed it to init, and a parent read then would never change.
  const ppid = options.supervisorPid ?? Deno.ppid;
  while (!stop.aborted) {
    await sleep(options.intervalMs(), stop);
    if (stop.aborted) break;
    // The beat is one write and what it must notice is one read, sent together: a write that
    // fails (a full disk) must not keep a stop or a cancel from being seen.
    const held = options.slots.flatMap((slot) => slot.job ? [{ slot, job: slot.job }] : []);
    const [beat, read] = await Promise.allSettled([
      options.beat(),
      readWorkerInbox(options.store, options.workerId, held.map((h) => h.job.id)),
    ]);
    for (const r of [beat, read]) {
      if (r.status === "rejected") {
        log.warn("worker.heartbeat_failed", { error: errorLine(r.reason) });
      }
    }
    if (read.status === "fulfilled") {
      // Only the run that was read about: it may have ended, and another begun, meanwhile.
      for (const [i, { slot, job }] of held.entries()) {
        const why = inboxVerdict(job, read.value.jobs[i] ?? null);
        if (why) slot.interrupt(why, job);
      }
      if (read.value.stop) options.onStopRequest(read.value.stop.force);
    }
    // A supervisor killed with -9 cannot forward signals; its children notice and stop.
    if (Deno.ppid !== ppid) options.onStopRequest(false);
  }
}
