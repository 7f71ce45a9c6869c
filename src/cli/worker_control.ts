/**
 * The dashboard's worker control (`queuectl web --allow-worker-control`): starting detached
 * workers on this host as `worker start --detach` does, and stopping some or all of them
 * gracefully as `worker stop` does, without waiting for them to finish (the page shows them go).
 *
 * @module
 */
import type { Store } from "../store/open.ts";
import { listWorkers, requestStop } from "../store/workers.ts";
import type { WorkerControl } from "../web/worker_control.ts";
import { hostName } from "../worker/identity.ts";
import { isProcessAlive } from "../worker/process_group.ts";
import { startDetached } from "../worker/supervisor_process.ts";
import { planStop } from "./worker_stop.ts";

/**
 * The control the dashboard gets: starts write their supervisor's log beside the database;
 * stops signal local processes and leave a request in the database for other hosts' workers.
 *
 * @example
 * ```ts
 * import type { Store } from "../store/open.ts";
 * declare const store: Store;
 * const control = workerControl(store, "/tmp/q.kv");
 * ```
 */
export function workerControl(store: Store, location: string): WorkerControl {
  return {
    start: async (count, processes) => {
      const { pid, logPath } = await startDetached(store, { count, processes, location });
      return { pid, count, processes, log: logPath };
    },
    stop: async (ids) => {
      const registered = await listWorkers(store);
      const chosen = registered.filter((w) => ids.includes(w.id));
      const all = chosen.length === registered.length;
      const plan = planStop(chosen, { host: hostName(), alive: isProcessAlive });
      // One worker of a supervisor: signal that worker alone (a clean exit is not restarted);
      // all of them: the supervisors, so none is restarted.
      const pids = all ? plan.signal : new Set(
        chosen.filter((w) => w.host === hostName() && isProcessAlive(w.pid)).map((w) => w.pid),
      );
      for (const pid of pids) {
        try {
          Deno.kill(pid, "SIGTERM");
        } catch {
          // Gone meanwhile, or another user's: the request below still reaches it.
        }
      }
      for (const w of plan.request) {
        await requestStop(store, w.id, { force: false, at: Date.now() });
      }
      return chosen.length;
    },
  };
}
