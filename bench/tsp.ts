/**
 * task-spooler (Debian's `tsp`), the native peer of B3: the same `true` jobs drained by its
 * daemon with two slots, timed the same way. The bench installs nothing: without `tsp` on PATH
 * the row is left out.
 *
 * @module
 */

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

async function tsp(args: string[], env: Record<string, string>): Promise<string> {
  const out = await new Deno.Command("tsp", { args, env, stdin: "null", stderr: "piped" })
    .output();
  if (!out.success) {
    throw new Error(`tsp ${args.join(" ")}: ${new TextDecoder().decode(out.stderr).trim()}`);
  }
  return new TextDecoder().decode(out.stdout).trim();
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
export async function tspDrain(n: number, slots: number, tmp: string): Promise<TspDrain | null> {
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
      await tsp(["-S", "1"], env);
    } catch (err) {
      if (err instanceof Deno.errors.NotFound) return null;
      throw err;
    }
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
  } finally {
    await tsp(["-K"], env).catch(() => {});
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
}
