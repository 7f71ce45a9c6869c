/**
 * `queuectl worker start | stop | list` and the hidden `worker run` that each child executes.
 *
 * @module
 */
import { buildCommand, buildRouteMap, type CommandContext, type RouteMap } from "@stricli/core";
import { join } from "../path.ts";
import { UsageError } from "../errors.ts";
import { parseInteger } from "../number_text.ts";
import { Logger } from "../log.ts";
import { isRemoteLocation, type Store } from "../store/open.ts";
import { readConfig } from "../store/config_store.ts";
import { assertWritable, listWorkers } from "../store/workers.ts";
import { measureClockOffset, SKEW_WARN_MS } from "../store/clock.ts";
import { hostName, workerId } from "../worker/identity.ts";
import { selfCommand } from "../worker/self_command.ts";
import { runSupervisor } from "../worker/supervisor.ts";
import { Worker } from "../worker/worker_loop.ts";
import type { Context } from "./context.ts";
import { ago, table, workerJson } from "./format.ts";
import { toggle, withDefault } from "./params.ts";
import { stopWorkers } from "./worker_stop.ts";

/** Signals that ask for a graceful stop; a second one forces it, and SIGQUIT forces at once. */
const STOP_SIGNALS = ["SIGINT", "SIGTERM"] as const;

/** Builds the `worker` command group. */
export function workerCommand(ctx: Context): RouteMap<CommandContext> {
  return buildRouteMap({
    docs: { brief: "start, stop and list workers", hideRoute: { run: true } },
    routes: {
      start: buildCommand({
        docs: { brief: "run N workers until stopped (Ctrl+C or `worker stop`)" },
        parameters: {
          flags: {
            count: withDefault("how many workers, 1-64", "n", "1"),
            detach: toggle("run in the background and return at once"),
          },
          aliases: { n: "count", d: "detach" },
        },
        func: (flags: { count: string; detach?: boolean }) => start(ctx, flags),
      }),
      stop: buildCommand({
        docs: { brief: "stop workers: running jobs finish first (--force: killed and requeued)" },
        parameters: {
          flags: {
            force: toggle("kill running jobs now; they go back to pending, uncharged"),
            timeout: withDefault("how long to wait for workers to exit", "seconds", "15"),
          },
        },
        func: (flags: { force?: boolean; timeout: string }) => stopWorkers(ctx, flags),
      }),
      list: buildCommand({
        docs: { brief: "list registered workers" },
        parameters: { flags: { json: toggle("print a JSON array") } },
        func: (flags: { json?: boolean }) => list(ctx, flags),
      }),
      run: buildCommand({
        docs: { brief: "run one worker in this process (used by `worker start`)" },
        parameters: {},
        func: () => runOne(ctx),
      }),
    },
  });
}

function parseCount(text: string): number {
  return parseInteger(text, { name: "--count", min: 1, max: 64 });
}

async function start(ctx: Context, flags: { count: string; detach?: boolean }): Promise<void> {
  const count = parseCount(flags.count);
  const location = ctx.location();
  // Fail here, once, if the database cannot be opened or written, rather than in every worker.
  await assertWritable(await ctx.store());
  if (flags.detach) return detach(ctx, count, location);
  const log = new Logger({ fields: { supervisor: Deno.pid } });
  const stop = new AbortController();
  const force = new AbortController();
  let signals = 0;
  const onSignal = () => {
    signals++;
    if (signals === 1) {
      log.info("supervisor.stopping", { hint: "a second signal forces" });
      stop.abort();
    } else force.abort();
  };
  // SIGQUIT is `worker stop --force`: a forced stop that needs no write to the database.
  const onQuit = () => {
    log.info("supervisor.stopping", { forced: true });
    stop.abort();
    force.abort();
  };
  for (const sig of STOP_SIGNALS) Deno.addSignalListener(sig, onSignal);
  Deno.addSignalListener("SIGQUIT", onQuit);
  log.info("supervisor.started", { workers: count, db: location });
  try {
    await runSupervisor({ count, location, log, signal: stop.signal, force: force.signal });
  } finally {
    for (const sig of STOP_SIGNALS) Deno.removeSignalListener(sig, onSignal);
    Deno.removeSignalListener("SIGQUIT", onQuit);
  }
}

async function detach(ctx: Context, count: number, location: string): Promise<void> {
  const logPath = await detachedLogPath(location);
  const { cmd, args } = selfCommand([
    "worker",
    "start",
    "--count",
    String(count),
    "--db",
    location,
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
  const store = await ctx.store();
  const host = hostName();
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    const mine = (await listWorkers(store)).filter((w) => w.host === host && w.started_at >= t0);
    if (mine.length >= count) {
      ctx.out(
        `started ${count} worker(s) in the background (supervisor pid ${child.pid}, log ${logPath})`,
      );
      return;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new UsageError(`workers did not register within 15s; see ${logPath}`);
}

async function list(ctx: Context, flags: { json?: boolean }): Promise<void> {
  const workers = await listWorkers(await ctx.store({ create: false }));
  if (flags.json) return ctx.out(JSON.stringify(workers.map(workerJson)));
  if (workers.length === 0) return ctx.out("no workers running");
  const now = Date.now();
  ctx.out(table(
    ["ID", "HOST", "PID", "STATE", "JOB", "HEARTBEAT", "DONE"],
    workers.map((w) => [
      w.id,
      w.host,
      String(w.pid),
      w.state,
      w.job ?? "-",
      ago(w.heartbeat_at, now),
      String(w.processed),
    ]),
  ));
}

async function runOne(ctx: Context): Promise<void> {
  const store = await ctx.store();
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
  let signals = 0;
  // A second stop signal forces, and SIGQUIT (`worker stop --force`, or relayed by the
  // supervisor) forces at once: neither needs the database, which may be full.
  const onSignal = () => onStop(++signals > 1);
  const onQuit = () => onStop(true);
  for (const sig of STOP_SIGNALS) Deno.addSignalListener(sig, onSignal);
  Deno.addSignalListener("SIGQUIT", onQuit);
  const worker = new Worker(store, {
    id,
    host,
    signal: stop.signal,
    force: force.signal,
    log,
    onStopRequest: onStop,
  });
  // In the background: the worker need not wait a second to start.
  if (store.remote) {
    checkSkew(store, log, config.lease_ms - config.heartbeat_ms, (ms) => worker.setClockOffset(ms));
  }
  try {
    await worker.run();
  } finally {
    for (const sig of STOP_SIGNALS) Deno.removeSignalListener(sig, onSignal);
    Deno.removeSignalListener("SIGQUIT", onQuit);
  }
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
