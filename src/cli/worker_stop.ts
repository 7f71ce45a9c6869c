/**
 * `queuectl worker stop [--force] [--timeout S]`: workers on this host are stopped by a signal,
 * workers on other hosts by a request left in the database.
 *
 * A local stop writes nothing. On a full disk or a read-only database a write fails, and a stop
 * that needed one could not stop the workers, whose supervisor kept restarting them. A signal
 * goes to the worker's supervisor when it has one: it stops restarting its slots and relays the
 * stop once. SIGTERM asks for a graceful stop, SIGQUIT for a forced one (so `--force` needs no
 * write either). A worker on another host reads `["control", id]` on its next heartbeat; that is
 * the one write a stop needs, and a stop whose request cannot be written exits 1.
 *
 * @module
 */
import { OperationError, UsageError } from "../errors.ts";
import { parseDecimal } from "../number_text.ts";
import { listWorkers, removeWorker, requestStop, type WorkerRecord } from "../store/workers.ts";
import { hostName } from "../worker/identity.ts";
import { isProcessAlive } from "../worker/process_group.ts";
import type { Context } from "./context.ts";

/** What `worker stop` does with each registered worker. */
export interface StopPlan {
  /** Processes to signal: supervisors, or workers that have none. */
  signal: Set<number>;
  /** Workers on other hosts, which are asked through the database. */
  request: WorkerRecord[];
  /** Entries of local workers whose process is gone, to remove (when the disk allows). */
  stale: WorkerRecord[];
}

/**
 * Decides how to stop `workers` from `host` (pure but for `alive`). A stale entry whose
 * supervisor lives still gets the supervisor signalled: it is restarting that slot, perhaps in a
 * crash loop, and must stop doing so.
 *
 * @example
 * ```ts
 * import type { Store } from "../store/open.ts";
 * import { listWorkers } from "../store/workers.ts";
 * import { hostName } from "../worker/identity.ts";
 * import { isProcessAlive } from "../worker/process_group.ts";
 * declare const store: Store;
 * const plan = planStop(await listWorkers(store), { host: hostName(), alive: isProcessAlive });
 * ```
 */
export function planStop(
  workers: readonly WorkerRecord[],
  options: { host: string; alive: (pid: number) => boolean },
): StopPlan {
  const plan: StopPlan = { signal: new Set(), request: [], stale: [] };
  for (const w of workers) {
    if (w.host !== options.host) {
      plan.request.push(w);
      continue;
    }
    const supervisor = w.supervisor && options.alive(w.supervisor) ? w.supervisor : null;
    if (!options.alive(w.pid)) {
      plan.stale.push(w);
      if (supervisor) plan.signal.add(supervisor);
      continue;
    }
    // Never both: a worker reached twice (relayed and direct) would take it as a forced stop.
    plan.signal.add(supervisor ?? w.pid);
  }
  return plan;
}

/** Runs `worker stop`. */
export async function stopWorkers(
  ctx: Context,
  flags: { force?: boolean; timeout: string; json?: boolean },
): Promise<void> {
  const timeoutS = parseDecimal(flags.timeout, "--timeout");
  if (!Number.isFinite(timeoutS) || timeoutS < 0 || timeoutS > 86_400) {
    throw new UsageError(`--timeout must be seconds from 0 to 86400, got "${flags.timeout}"`);
  }
  const store = await ctx.store({ create: false });
  const host = hostName();
  const workers = await listWorkers(store);
  if (workers.length === 0) {
    ctx.out(flags.json ? JSON.stringify({ stopped: 0, still_finishing: 0 }) : "no workers running");
    return;
  }
  const force = !!flags.force;
  const plan = planStop(workers, { host, alive: isProcessAlive });
  const signalled = [...plan.signal].filter((pid) => {
    try {
      Deno.kill(pid, force ? "SIGQUIT" : "SIGTERM");
      return true;
    } catch (err) {
      // Another user's process: the request in the database is the way left.
      if (err instanceof Deno.errors.PermissionDenied) {
        plan.request.push(...workers.filter((w) => w.pid === pid || w.supervisor === pid));
      }
      return false; // Or it exited meanwhile.
    }
  });
  let requestFailed: unknown = null;
  const asked = new Set<string>();
  for (const w of plan.request) {
    try {
      await requestStop(store, w.id, { force, at: Date.now() });
      asked.add(w.id);
    } catch (err) {
      requestFailed ??= err;
    }
  }
  // Housekeeping only: a full disk keeps the entry, and the next worker's prune removes it.
  for (const w of plan.stale) await removeWorker(store, w.id).catch(() => {});

  const unasked = new Set(plan.request.map((w) => w.id).filter((id) => !asked.has(id)));
  const deadline = Date.now() + timeoutS * 1000;
  let left = workers.length;
  for (;;) {
    // A local worker has stopped when its process is gone (its entry may outlive it on a full
    // disk); a remote one when its entry is.
    const registered = asked.size > 0 ? new Set((await listWorkers(store)).map((w) => w.id)) : null;
    const running = workers.filter((w) =>
      asked.has(w.id) ? registered!.has(w.id) : !unasked.has(w.id) && isProcessAlive(w.pid)
    );
    left = running.length + unasked.size;
    const finishing = running.length > 0 || signalled.some(isProcessAlive);
    if (!finishing || Date.now() >= deadline) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  const stopped = workers.length - left;
  ctx.out(
    flags.json
      ? JSON.stringify({ stopped, still_finishing: left })
      : left === 0
      ? `stopped ${stopped} worker(s)`
      : `stopped ${stopped} worker(s); ${left} still finishing their jobs`,
  );
  if (requestFailed !== null) {
    const why = requestFailed instanceof Error ? requestFailed.message : String(requestFailed);
    throw new OperationError(
      `cannot ask the workers on other hosts to stop: ${why.split("\n")[0]}`,
      { cause: requestFailed },
    );
  }
}
