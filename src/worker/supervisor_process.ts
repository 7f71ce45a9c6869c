/**
 * The `worker start` process: in the foreground, a supervisor that runs until its workers have
 * stopped; with `--detach`, that same supervisor started in the background, returning once its
 * workers have registered.
 *
 * @module
 */
import { join } from "../path.ts";
import { OperationError } from "../errors.ts";
import { Logger } from "../log.ts";
import { isRemoteLocation, type Store } from "../store/open.ts";
import { listWorkers } from "../store/workers.ts";
import { hostName } from "./identity.ts";
import { selfCommand } from "./self_command.ts";
import { listenForStop } from "./stop_signals.ts";
import { runSupervisor } from "./supervisor.ts";
import { defaultProcesses } from "../process_split.ts";

/** What {@linkcode superviseUntilStopped} and {@linkcode startDetached} start. */
export interface SupervisorStart {
  /** How many jobs run at once, over all the worker processes. */
  count: number;
  /** How many worker processes; default `defaultProcesses(count)`. */
  processes?: number;
  /** The database location, passed to every worker. */
  location: string;
  /** The queues the workers serve, in order of preference; absent: all. */
  queues?: readonly string[];
}

/**
 * Runs `count` slots over worker processes in this process's supervisor until they have all stopped. The first
 * SIGINT or SIGTERM stops them gracefully, a second (or SIGQUIT, `worker stop --force`) forces.
 *
 * @example
 * ```ts
 * await superviseUntilStopped({ count: 2, location: "/tmp/q.kv" });
 * ```
 */
export async function superviseUntilStopped(
  start: SupervisorStart,
  options: { onStarted?: () => void } = {},
): Promise<void> {
  const log = new Logger({ fields: { supervisor: Deno.pid } });
  const stop = new AbortController();
  const force = new AbortController();
  using _signals = listenForStop((forced) => {
    if (forced) {
      log.info("supervisor.stopping", { forced: true });
      stop.abort();
      force.abort();
    } else if (!stop.signal.aborted) {
      log.info("supervisor.stopping", { hint: "a second signal forces" });
      stop.abort();
    }
  });
  log.info("supervisor.started", {
    slots: start.count,
    workers: start.processes ?? defaultProcesses(start.count),
    db: start.location,
    queues: start.queues?.join(","),
  });
  // Once the stop signals are heard: whoever reads the start may signal at once.
  options.onStarted?.();
  await runSupervisor({ ...start, log, signal: stop.signal, force: force.signal });
}

/** A supervisor started in the background by {@linkcode startDetached}. */
export interface Detached {
  /** Its pid. */
  pid: number;
  /** The file it logs to. */
  logPath: string;
}

/**
 * Starts the supervisor of `count` slots in the background, logging to a file, and returns
 * once they have all registered in `store`. Fails with an OperationError when they have not
 * within 15 s.
 *
 * @example
 * ```ts
 * import type { Store } from "../store/open.ts";
 * declare const store: Store;
 * const { pid, logPath } = await startDetached(store, { count: 2, location: "/tmp/q.kv" });
 * ```
 */
export async function startDetached(store: Store, start: SupervisorStart): Promise<Detached> {
  const logPath = await detachedLogPath(start.location);
  const { cmd, args } = selfCommand([
    "worker",
    "start",
    "--count",
    String(start.count),
    ...(start.processes ? ["--processes", String(start.processes)] : []),
    "--db",
    start.location,
    ...(start.queues ? ["--queues", start.queues.join(",")] : []),
  ]);
  const t0 = Date.now();
  // sh only redirects: the log path and our own argv are passed as arguments, never spliced in.
  const child = new Deno.Command("sh", {
    args: ["-c", 'log=$1; shift; exec "$@" >>"$log" 2>&1 </dev/null', "sh", logPath, cmd, ...args],
    detached: true,
    stdin: "null",
    stdout: "null",
    stderr: "null",
  }).spawn();
  child.unref();
  const host = hostName();
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    const mine = (await listWorkers(store)).filter((w) => w.host === host && w.started_at >= t0);
    if (mine.length >= (start.processes ?? defaultProcesses(start.count))) {
      return { pid: child.pid, logPath };
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new OperationError(`workers did not register within 15s; see ${logPath}`);
}

/**
 * Where a detached supervisor logs: beside a database file, or for a remote KV in the per-user
 * folder under the server's name (never the current folder, which may be anywhere).
 */
async function detachedLogPath(location: string): Promise<string> {
  if (!isRemoteLocation(location)) return `${location}.log`;
  const home = Deno.env.get("HOME") ?? Deno.env.get("USERPROFILE") ?? ".";
  const dir = join(home, ".queuectl");
  await Deno.mkdir(dir, { recursive: true, mode: 0o700 });
  return join(dir, `remote-${new URL(location).host.replace(/[^A-Za-z0-9.-]/g, "_")}.log`);
}
