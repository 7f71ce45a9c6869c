/**
 * The supervisor behind `worker start`: spawns P worker subprocesses that run N jobs at once
 * between them (N slots spread over P processes), relays stop signals, restarts a child that
 * crashed (with backoff, saying why), and exits when they all have.
 *
 * @module
 */
import { defaultProcesses } from "../process_split.ts";
import type { Logger } from "../log.ts";
import { selfCommand } from "./self_command.ts";

/** Options of {@linkcode runSupervisor}. */
export interface SupervisorOptions {
  /** How many jobs run at once, over all the worker processes. */
  count: number;
  /** How many worker processes share them; default {@linkcode defaultProcesses}. */
  processes?: number;
  /** The database location passed to every child. */
  location: string;
  /** The queues every child serves, in order of preference; absent: all. */
  queues?: readonly string[];
  /** Structured log sink. */
  log: Logger;
  /** First abort: graceful stop of every child (relayed as SIGTERM). */
  signal: AbortSignal;
  /** Abort: forced stop of every child, relayed as SIGQUIT (their jobs go back to pending). */
  force: AbortSignal;
}

/**
 * V8 flags of worker processes. A 1 MiB semi-space (V8's default grows to 16 MiB or more) keeps
 * a worker's young generation small: a worker allocates little that lives, and what a larger
 * young generation lets survive a scavenge is promoted and grows the old one. Draining 2,000
 * `true` jobs with 2 slots (`worker run`, three interleaved pairs), the peak RSS was 79.0–82.2 MiB
 * with 1 MiB against 81.3–83.4 MiB with 2 MiB, and 96.7 MiB without the flag (139 MiB after
 * 12,000 jobs, against 86 MiB with 1 MiB), at the same CPU per job.
 */
export const WORKER_V8_FLAGS: readonly string[] = ["--max-semi-space-size=1"];

/**
 * How many slots each of `processes` worker processes gets so that they run `count` jobs at
 * once (pure): ⌈count/processes⌉ for the first ones, ⌊count/processes⌋ for the rest.
 *
 * @example
 * ```ts
 * slotsPerProcess(8, 3); // [3, 3, 2]
 * ```
 */
export function slotsPerProcess(count: number, processes: number): number[] {
  const p = Math.max(1, Math.min(count, processes));
  return Array.from({ length: p }, (_, i) => Math.floor(count / p) + (i < count % p ? 1 : 0));
}

/**
 * The restart delay after a crash (pure): 1 s doubling to 30 s, reset when the child had run
 * for a minute, so a crash loop slows down but a rare crash restarts fast.
 *
 * @example
 * ```ts
 * restartDelayMs(3, 5_000); // 4000
 * ```
 */
export function restartDelayMs(crashesInARow: number, ranForMs: number): number {
  if (ranForMs > 60_000) return 1000;
  return Math.min(30_000, 1000 * 2 ** Math.max(0, crashesInARow - 1));
}

/**
 * Runs the workers until they have all exited. Returns the exit code for the supervisor.
 *
 * @example
 * ```ts
 * import { Logger } from "../log.ts";
 * const log = new Logger();
 * const stop = new AbortController();
 * const kill = new AbortController();
 * const code = await runSupervisor({
 *   count: 2,
 *   location: "/var/lib/queuectl/queue.db",
 *   log,
 *   signal: stop.signal,
 *   force: kill.signal,
 * });
 * ```
 */
export async function runSupervisor(options: SupervisorOptions): Promise<number> {
  const { log } = options;
  const children = new Set<Deno.ChildProcess>();
  const relay = (sig: Deno.Signal) => {
    for (const c of children) {
      try {
        c.kill(sig);
      } catch {
        // Already gone.
      }
    }
  };
  // A forced stop is relayed as SIGQUIT, never as a second SIGTERM: two signals of one kind sent
  // close together may arrive as one, and the forced stop would be taken for a graceful one.
  options.signal.addEventListener("abort", () => relay("SIGTERM"), { once: true });
  options.force.addEventListener("abort", () => relay("SIGQUIT"), { once: true });

  const split = slotsPerProcess(
    options.count,
    options.processes ?? defaultProcesses(options.count),
  );
  // `slot` in the log names the child (1..P), as it did when each child ran one job.
  const slot = async (n: number, slots: number) => {
    let crashes = 0;
    while (!options.signal.aborted) {
      const queues = options.queues ? ["--queues", options.queues.join(",")] : [];
      const { cmd, args } = selfCommand([
        "worker",
        "run",
        "--db",
        options.location,
        "--slots",
        String(slots),
        ...queues,
      ], { v8Flags: WORKER_V8_FLAGS });
      const started = Date.now();
      let child: Deno.ChildProcess;
      try {
        // Its own session: a terminal's Ctrl+C reaches only the supervisor, which relays it
        // once, so a single Ctrl+C is a graceful stop and not two signals (a forced one).
        child = new Deno.Command(cmd, {
          args,
          detached: true,
          stdin: "null",
          env: { QUEUECTL_SUPERVISOR: String(Deno.pid) },
        }).spawn();
      } catch (err) {
        log.error("worker.spawn_failed", { slot: n, error: (err as Error).message });
        return;
      }
      children.add(child);
      const status = await child.status;
      children.delete(child);
      if (status.success || options.signal.aborted) return;
      crashes++;
      const delay = restartDelayMs(crashes, Date.now() - started);
      log.warn("worker.crashed", {
        slot: n,
        pid: child.pid,
        code: status.code,
        signal: status.signal ?? undefined,
        restart_in_ms: delay,
      });
      await abortableSleep(delay, options.signal);
    }
  };
  await Promise.all(split.map((slots, i) => slot(i + 1, slots)));
  log.info("supervisor.stopped", { workers: split.length, slots: options.count });
  return 0;
}

function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(t);
      signal.removeEventListener("abort", done);
      resolve();
    };
    const t = setTimeout(done, ms);
    signal.addEventListener("abort", done, { once: true });
  });
}
