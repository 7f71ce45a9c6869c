/**
 * One worker process from start to exit: what the hidden `worker run` command does in each
 * child of the supervisor. It takes its identity, reads the config, listens for stop signals,
 * measures its clock against a remote KV, and runs the worker loop until it stops.
 *
 * @module
 */
import { Logger } from "../log.ts";
import { readConfig } from "../store/config_store.ts";
import { measureClockOffset, SKEW_WARN_MS } from "../store/clock.ts";
import type { Store } from "../store/open.ts";
import { hostName, workerId } from "./identity.ts";
import { listenForStop } from "./stop_signals.ts";
import { Worker } from "./worker_loop.ts";

/**
 * Runs one worker on `store` until it is stopped (a signal, `worker stop`, or its supervisor's
 * end), then returns.
 *
 * @example
 * ```ts
 * import { openStore } from "../store/open.ts";
 * await runWorkerProcess(await openStore("/tmp/q.kv"));
 * ```
 */
export async function runWorkerProcess(
  store: Store,
  options: { queues?: readonly string[]; slots?: number } = {},
): Promise<void> {
  const host = hostName();
  const id = workerId(host, Deno.pid);
  const config = await readConfig(store);
  const log = new Logger({ level: config.log_level, fields: { worker: id } });
  const stop = new AbortController();
  const force = new AbortController();
  const onStop = (forced: boolean) => {
    if (forced) force.abort();
    stop.abort();
  };
  using _signals = listenForStop(onStop);
  const worker = new Worker(store, {
    id,
    host,
    signal: stop.signal,
    force: force.signal,
    log,
    onStopRequest: onStop,
    queues: options.queues,
    slots: options.slots,
    supervisorPid: Number(Deno.env.get("QUEUECTL_SUPERVISOR")) || undefined,
  });
  // In the background: the worker need not wait a second to start.
  if (store.remote) {
    checkSkew(store, log, config.lease_ms - config.heartbeat_ms, (ms) => worker.setClockOffset(ms));
  }
  await worker.run();
}

/** Measures this host's clock against the KV server and warns when the skew is large. */
function checkSkew(
  store: Store,
  log: Logger,
  toleratedMs: number,
  record: (offsetMs: number) => void,
): void {
  measureClockOffset(store).then((skew) => {
    if (!skew) return log.warn("clock.unknown", { reason: "the server sent no Date header" });
    record(skew.offsetMs);
    const fields = {
      offset_ms: skew.offsetMs,
      uncertainty_ms: skew.uncertaintyMs,
      tolerated_ms: toleratedMs,
    };
    if (Math.abs(skew.offsetMs) > SKEW_WARN_MS) log.warn("clock.skew", fields);
    else log.info("clock.offset", fields);
  }).catch(() => {});
}
