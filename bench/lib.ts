/**
 * Helpers of the benchmark: paths, timed subprocesses, the queuectl CLI on a temp database, and
 * worker start/stop. Statistics are in stats.ts, readings from /proc in proc.ts.
 *
 * Nothing here touches the user's default database: every CLI call gets `QUEUECTL_DB` set to a
 * file in a temp folder made by {@linkcode TempDb}.
 *
 * @module
 */
import { fileURLToPath } from "node:url";
import { countJobs, listWorkers, openStore, type Store } from "../src/store/mod.ts";
import { alive } from "./proc.ts";

/** The repository root (the folder holding main.ts and deno.json). */
export const ROOT: string = fileURLToPath(new URL("..", import.meta.url)).replace(/\/$/, "");
/** The CLI entry point. */
export const MAIN = `${ROOT}/main.ts`;
/** The project's config file, passed explicitly as a user would from the repository. */
export const CONFIG = `${ROOT}/deno.json`;
/** The running deno executable. */
export const DENO: string = Deno.execPath();

/** Sleeps `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, Math.max(0, ms)));
}

/** Wall-clock epoch milliseconds with sub-millisecond precision. */
export function epochMs(): number {
  return performance.timeOrigin + performance.now();
}

/** The outcome of a finished subprocess. */
export interface RunOutcome {
  /** Exit code. */
  code: number;
  /** Standard output, decoded. */
  stdout: string;
  /** Standard error, decoded. */
  stderr: string;
  /** Wall time from just before spawn until exit and all output read, in ms. */
  ms: number;
}

/** Options of {@linkcode run}. */
export interface RunOptions {
  /** Variables added to the inherited environment. */
  env?: Record<string, string>;
  /** Working directory; default the repository root. */
  cwd?: string;
  /** Called with the pid right after spawn (to sample /proc while it runs). */
  onSpawn?: (pid: number) => void;
  /** For {@linkcode TempDb.cli}: preload bench/kv_probe.ts, writing its tally into this folder. */
  probeDir?: string;
}

/** Runs a program to completion and times it. */
export async function run(cmd: string, args: string[], opts: RunOptions = {}): Promise<RunOutcome> {
  const t0 = performance.now();
  const child = new Deno.Command(cmd, {
    args,
    env: opts.env,
    cwd: opts.cwd ?? ROOT,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  opts.onSpawn?.(child.pid);
  const out = await child.output();
  const ms = performance.now() - t0;
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr), ms };
}

/** A temp folder holding one queue database; `QUEUECTL_DB` for children points into it. */
export class TempDb {
  /** The folder. */
  readonly dir: string;
  /** The database file. */
  readonly path: string;

  private constructor(dir: string) {
    this.dir = dir;
    this.path = `${dir}/queue.kv`;
  }

  /** Makes a fresh temp folder under `parent`. */
  static async create(parent: string, name: string): Promise<TempDb> {
    const dir = await Deno.makeTempDir({ dir: parent, prefix: `${name}-` });
    return new TempDb(dir);
  }

  /** Environment for a CLI child: this database, no colours. */
  get env(): Record<string, string> {
    return { QUEUECTL_DB: this.path, NO_COLOR: "1" };
  }

  /** Runs `queuectl <args>` as a whole CLI process (`deno run -A --config deno.json main.ts`). */
  cli(args: string[], opts: Omit<RunOptions, "env"> = {}): Promise<RunOutcome> {
    const probe = opts.probeDir ? ["--preload", `${ROOT}/bench/kv_probe.ts`] : [];
    const env = opts.probeDir ? { ...this.env, QUEUECTL_BENCH_PROBE_DIR: opts.probeDir } : this.env;
    return run(DENO, ["run", "-A", ...probe, "--config", CONFIG, MAIN, ...args], { ...opts, env });
  }

  /** Like {@linkcode cli} but throws unless the exit code is 0. */
  async cliOk(args: string[], opts: Omit<RunOptions, "env"> = {}): Promise<RunOutcome> {
    const out = await this.cli(args, opts);
    if (out.code !== 0) {
      throw new Error(`queuectl ${args.join(" ")} exited ${out.code}: ${out.stderr.trim()}`);
    }
    return out;
  }

  /** Database bytes on disk: the file plus its write-ahead log. */
  bytes(): { file: number; wal: number; total: number } {
    const size = (p: string) => {
      try {
        return Deno.statSync(p).size;
      } catch {
        return 0;
      }
    };
    const file = size(this.path);
    const wal = size(`${this.path}-wal`);
    return { file, wal, total: file + wal };
  }

  /** Opens the store in this process (for polling counts and reading job records). */
  open(): Promise<Store> {
    return openStore(this.path);
  }

  /** Removes the folder. */
  async remove(): Promise<void> {
    await Deno.remove(this.dir, { recursive: true }).catch(() => {});
  }
}

/** Writes `n` lines of `line` to `path` (an NDJSON file of job specs). */
export async function writeNdjson(path: string, line: string, n: number): Promise<void> {
  const file = await Deno.open(path, { write: true, create: true, truncate: true });
  const enc = new TextEncoder();
  const block = enc.encode(`${line}\n`.repeat(Math.min(n, 10_000)));
  const per = Math.min(n, 10_000);
  let left = n;
  try {
    while (left > 0) {
      const k = Math.min(left, per);
      const bytes = k === per ? block : enc.encode(`${line}\n`.repeat(k));
      let off = 0;
      while (off < bytes.length) off += await file.write(bytes.subarray(off));
      left -= k;
    }
  } finally {
    file.close();
  }
}

/** Polls `fn` every `intervalMs` until it returns true; throws after `timeoutMs`. */
export async function waitUntil(
  what: string,
  fn: () => Promise<boolean> | boolean,
  timeoutMs: number,
  intervalMs = 10,
): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!(await fn())) {
    if (performance.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms: ${what}`);
    await sleep(intervalMs);
  }
}

/** Waits until the counters say `n` jobs reached a final state; returns the counts. */
export async function waitFinished(
  store: Store,
  n: number,
  timeoutMs: number,
  intervalMs = 10,
): Promise<Record<string, number>> {
  let counts: Record<string, number> = {};
  await waitUntil(
    `${n} jobs to finish`,
    async () => {
      counts = await countJobs(store);
      return (counts.completed ?? 0) + (counts.dead ?? 0) + (counts.canceled ?? 0) >= n;
    },
    timeoutMs,
    intervalMs,
  );
  return counts;
}

/** Workers started with `worker start --count N --detach`. */
export interface WorkerGroup {
  /** Pid of the supervisor (the detached `worker start`). */
  supervisorPid: number;
  /** Wall time of the `worker start --detach` CLI call (it returns once all have registered). */
  startCliMs: number;
}

/** Starts `count` workers in the background through the CLI. */
export async function startWorkers(db: TempDb, count: number): Promise<WorkerGroup> {
  const out = await db.cliOk(["worker", "start", "--count", String(count), "--detach"]);
  const m = out.stdout.match(/supervisor pid (\d+)/);
  if (!m) throw new Error(`worker start: no supervisor pid in ${JSON.stringify(out.stdout)}`);
  return { supervisorPid: Number(m[1]), startCliMs: out.ms };
}

/** Waits until workers with `count` slots in all are registered and idle. */
export async function waitIdle(store: Store, count: number, timeoutMs = 15_000): Promise<void> {
  await waitUntil(
    `${count} idle worker slots`,
    async () => {
      const ws = await listWorkers(store);
      const slots = ws.reduce((n, w) => n + (w.slots ?? 1), 0);
      return slots >= count && ws.every((w) => w.state === "idle");
    },
    timeoutMs,
    20,
  );
}
/**
 * Stops the workers through the CLI (`worker stop`) and waits for the supervisor to exit; as a
 * last resort kills the supervisor and the given worker pids (all started by this bench).
 */
export async function stopWorkers(
  db: TempDb,
  group: WorkerGroup,
  workerPids: number[],
): Promise<void> {
  await db.cli(["worker", "stop", "--timeout", "20"]);
  const pids = [group.supervisorPid, ...workerPids];
  try {
    await waitUntil("workers to exit", () => pids.every((p) => !alive(p)), 20_000, 20);
  } catch {
    for (const pid of pids.filter(alive)) {
      try {
        Deno.kill(pid, "SIGKILL");
      } catch {
        // Gone meanwhile.
      }
    }
  }
}
/**
 * Starts one `worker run` process on `db` from the tree at `root`, as the supervisor starts it
 * but with its output discarded; `denoFlags` go before the script (e.g. `--cpu-prof`).
 */
export function spawnWorkerRun(
  db: TempDb,
  options: { root?: string; denoFlags?: readonly string[]; slots?: number } = {},
): Deno.ChildProcess {
  const root = options.root ?? ROOT;
  return new Deno.Command(DENO, {
    args: [
      "run",
      "-A",
      "--unstable-kv",
      ...(options.denoFlags ?? []),
      "--config",
      `${root}/deno.json`,
      `${root}/main.ts`,
      "worker",
      "run",
      "--db",
      db.path,
      ...(options.slots ? ["--slots", String(options.slots)] : []),
    ],
    env: db.env,
    cwd: root,
    stdin: "null",
    stdout: "null",
    stderr: "null",
  }).spawn();
}
