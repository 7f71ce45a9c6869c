/**
 * task-spooler (Debian's `tsp`), the native peer of B3 and B8: the same `true` jobs drained by
 * its daemon with two slots, timed the same way, and its end-to-end latency for one job. The bench
 * installs nothing: without `tsp` on PATH the rows are left out.
 *
 * @module
 */
import { sleep } from "./lib.ts";
import { type Summary, summary } from "./stats.ts";

/** One tsp drain. */
export interface TspDrain {
  /** Jobs drained. */
  jobs: number;
  /** Slots (`tsp -S`). */
  slots: number;
  /** From opening the slots until `tsp -w` of the last job returned, ms. */
  wall_ms: number;
  /** Jobs per second over `wall_ms`. */
  jobs_per_s: number;
}

/** A private tsp daemon's environment: its own socket and temp folder. */
type TspEnv = Record<string, string>;

async function tsp(args: string[], env: TspEnv): Promise<string> {
  const out = await new Deno.Command("tsp", { args, env, stdin: "null", stderr: "piped" })
    .output();
  if (!out.success) {
    throw new Error(`tsp ${args.join(" ")}: ${new TextDecoder().decode(out.stderr).trim()}`);
  }
  return new TextDecoder().decode(out.stdout).trim();
}

/** A private daemon: its parent temp folder, jobs it must keep room for, and its first slots. */
interface Daemon {
  tmp: string;
  jobs: number;
  slots: number;
}

/**
 * Starts a private tsp daemon (own `TS_SOCKET` and `TMPDIR` in a temp folder under `tmp`), runs
 * `fn` with its environment and folder, then kills it and removes the folder. Returns null when
 * `tsp` is not installed.
 */
async function withTsp<T>(
  { tmp, jobs: n, slots }: Daemon,
  fn: (env: TspEnv, dir: string) => Promise<T>,
): Promise<T | null> {
  const dir = await Deno.makeTempDir({ dir: tmp, prefix: "tsp-" });
  const env = {
    TS_SOCKET: `${dir}/socket`,
    TS_MAXFINISHED: String(n + 10),
    // Each queued job holds a connection to the daemon: 1,000 at most, so n stays below that.
    TS_MAXCONN: String(n + 16),
    TMPDIR: dir,
  };
  try {
    try {
      await tsp(["-S", String(slots)], env);
    } catch (err) {
      if (err instanceof Deno.errors.NotFound) return null;
      throw err;
    }
    return await fn(env, dir);
  } finally {
    await tsp(["-K"], env).catch(() => {});
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
}

/**
 * Drains `n` `true` jobs through a private tsp daemon with `slots` slots, or returns null when
 * `tsp` is not installed. The jobs queue behind a job that holds the only slot until the clock
 * starts (enqueueing is untimed, as in B3); then the slots open and the holder ends, and the
 * drain ends when `tsp -w` of the last job returns.
 *
 * @example
 * ```ts
 * const d = await tspDrain(2000, 2, "/tmp"); // null without tsp
 * ```
 */
export function tspDrain(n: number, slots: number, tmp: string): Promise<TspDrain | null> {
  return withTsp({ tmp, jobs: n, slots: 1 }, async (env, dir) => {
    const go = `${dir}/go`;
    await tsp(["-B", "sh", "-c", `while [ ! -e ${go} ]; do sleep 0.002; done`], env);
    let last = "";
    // -B: a full queue is an error (the row is left out), never a wait.
    for (let i = 0; i < n; i++) last = await tsp(["-B", "true"], env);
    const t0 = performance.now();
    await tsp(["-S", String(slots)], env);
    await Deno.writeTextFile(go, "");
    await tsp(["-w", last], env);
    const wallMs = performance.now() - t0;
    return {
      jobs: n,
      slots,
      wall_ms: Math.round(wallMs),
      jobs_per_s: Math.round(n / (wallMs / 1000)),
    };
  });
}

/** Options of {@linkcode tspLatency}. */
export interface TspLatencyOptions {
  /** Jobs timed, one at a time. */
  jobs: number;
  /** Slots of the daemon (`tsp -S`). Default 2. */
  slots?: number;
  /** Idle time before each job, ms. Default 20. */
  gapMs?: number;
}

/**
 * B8's peer: `tsp true` then `tsp -w ID` on a private daemon (under `tmp`) with idle slots, one
 * job at a time, each timed from just before the first call to the return of the second; null
 * when `tsp` is not installed. One untimed job first lets the daemon settle.
 *
 * @example
 * ```ts
 * const s = await tspLatency("/tmp", { jobs: 50 }); // s?.p50: `tsp true` to `tsp -w` back, ms
 * ```
 */
export function tspLatency(tmp: string, options: TspLatencyOptions): Promise<Summary | null> {
  const n = options.jobs;
  const gapMs = options.gapMs ?? 20;
  return withTsp({ tmp, jobs: n + 1, slots: options.slots ?? 2 }, async (env) => {
    await tsp(["-w", await tsp(["true"], env)], env);
    const samples: number[] = [];
    for (let i = 0; i < n; i++) {
      await sleep(gapMs);
      const t0 = performance.now();
      const id = await tsp(["true"], env);
      await tsp(["-w", id], env);
      samples.push(performance.now() - t0);
    }
    return summary(samples);
  });
}
