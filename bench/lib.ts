/**
 * Helpers of the benchmark: statistics, timed subprocesses, the queuectl CLI on a temp database,
 * worker start/stop, and readings from /proc (memory, CPU time, load).
 *
 * Nothing here touches the user's default database: every CLI call gets `QUEUECTL_DB` set to a
 * file in a temp folder made by {@linkcode TempDb}.
 *
 * @module
 */
import { fileURLToPath } from "node:url";
import { countJobs, listWorkers, openStore, type Store } from "../src/store/mod.ts";

/** The repository root (the folder holding main.ts and deno.json). */
export const ROOT: string = fileURLToPath(new URL("..", import.meta.url)).replace(/\/$/, "");
/** The CLI entry point. */
export const MAIN = `${ROOT}/main.ts`;
/** The project's config file, passed explicitly as a user would from the repository. */
export const CONFIG = `${ROOT}/deno.json`;
/** The running deno executable. */
export const DENO: string = Deno.execPath();

/** Sorted copy of `xs`. */
export function sorted(xs: readonly number[]): number[] {
  return [...xs].sort((a, b) => a - b);
}

/** Quantile `q` in [0, 1] with linear interpolation (type 7); NaN for no data. */
export function quantile(xs: readonly number[], q: number): number {
  if (xs.length === 0) return NaN;
  const s = sorted(xs);
  const pos = (s.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return s[lo]! + (s[hi]! - s[lo]!) * (pos - lo);
}

/** Summary statistics of a sample. */
export interface Summary {
  /** Sample size. */
  n: number;
  /** Median. */
  p50: number;
  /** 95th percentile. */
  p95: number;
  /** 99th percentile. */
  p99: number;
  /** Smallest value. */
  min: number;
  /** Largest value. */
  max: number;
  /** Arithmetic mean. */
  mean: number;
}

/** Summarises a sample (values rounded to 0.01). */
export function summary(xs: readonly number[]): Summary {
  const r = (v: number) => Math.round(v * 100) / 100;
  return {
    n: xs.length,
    p50: r(quantile(xs, 0.5)),
    p95: r(quantile(xs, 0.95)),
    p99: r(quantile(xs, 0.99)),
    min: r(xs.length ? Math.min(...xs) : NaN),
    max: r(xs.length ? Math.max(...xs) : NaN),
    mean: r(xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN),
  };
}

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

/** Waits until `count` workers are registered and idle. */
export async function waitIdle(store: Store, count: number, timeoutMs = 15_000): Promise<void> {
  await waitUntil(
    `${count} idle workers`,
    async () => {
      const ws = await listWorkers(store);
      return ws.length >= count && ws.every((w) => w.state === "idle");
    },
    timeoutMs,
    20,
  );
}

/** True while `pid` exists and is not a zombie. */
export function alive(pid: number): boolean {
  try {
    const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
    const state = stat.slice(stat.lastIndexOf(")") + 2).split(" ")[0];
    return state !== "Z" && state !== "X";
  } catch {
    return false;
  }
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

/** Memory readings of a process from /proc/PID/status, in KiB. */
export interface ProcMemory {
  /** Peak resident set size (VmHWM). */
  hwmKiB: number;
  /** Current resident set size (VmRSS). */
  rssKiB: number;
  /** Of VmRSS: anonymous memory (heaps, stacks), private to the process. */
  anonKiB: number;
  /** Of VmRSS: file-backed pages, mostly the deno executable's code, shared by all workers. */
  fileKiB: number;
}

/** Reads VmHWM and VmRSS of a live process, or null. */
export function procMemory(pid: number): ProcMemory | null {
  try {
    const text = Deno.readTextFileSync(`/proc/${pid}/status`);
    const field = (name: string) => Number(text.match(new RegExp(`^${name}:\\s+(\\d+)`, "m"))?.[1]);
    return {
      hwmKiB: field("VmHWM"),
      rssKiB: field("VmRSS"),
      anonKiB: field("RssAnon"),
      fileKiB: field("RssFile"),
    };
  } catch {
    return null;
  }
}

let clockTicks: number | null = null;

/** Clock ticks per second of /proc CPU times (`getconf CLK_TCK`). */
export function ticksPerSecond(): number {
  if (clockTicks === null) {
    try {
      const out = new Deno.Command("getconf", { args: ["CLK_TCK"] }).outputSync();
      clockTicks = Number(new TextDecoder().decode(out.stdout).trim()) || 100;
    } catch {
      clockTicks = 100;
    }
  }
  return clockTicks;
}

/** CPU time of a process from /proc/PID/stat, in ms. */
export interface ProcCpu {
  /** User time of the process. */
  userMs: number;
  /** System time of the process. */
  sysMs: number;
  /** User + system time of its waited-for children (the job shells, for a worker). */
  childrenMs: number;
}

/** Reads the CPU times of a live process, or null. */
export function procCpu(pid: number): ProcCpu | null {
  try {
    const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
    const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ").map(Number);
    // Fields after the comm: state(0) ... utime(11) stime(12) cutime(13) cstime(14).
    const k = 1000 / ticksPerSecond();
    return { userMs: f[11]! * k, sysMs: f[12]! * k, childrenMs: (f[13]! + f[14]!) * k };
  } catch {
    return null;
  }
}

/** Machine-wide CPU time so far (all cores), in ms: busy and total. */
export function machineCpu(): { busyMs: number; totalMs: number } {
  const line = Deno.readTextFileSync("/proc/stat").split("\n")[0]!;
  const v = line.trim().split(/\s+/).slice(1).map(Number);
  // user nice system idle iowait irq softirq steal
  const idle = (v[3] ?? 0) + (v[4] ?? 0);
  const total = v.slice(0, 8).reduce((a, b) => a + b, 0);
  const k = 1000 / ticksPerSecond();
  return { busyMs: (total - idle) * k, totalMs: total * k };
}

/** The 1-, 5- and 15-minute load averages. */
export function loadavg(): [number, number, number] {
  const [a, b, c] = Deno.readTextFileSync("/proc/loadavg").split(" ").map(Number);
  return [a ?? NaN, b ?? NaN, c ?? NaN];
}

/** Samples a process's peak RSS while it runs (VmHWM is gone once it exits). */
export class PeakSampler {
  #peakKiB = 0;
  #timer: ReturnType<typeof setInterval> | undefined;

  /** Starts sampling `pid` every `ms`. */
  start(pid: number, ms = 100): void {
    const take = () => {
      const m = procMemory(pid);
      if (m && m.hwmKiB > this.#peakKiB) this.#peakKiB = m.hwmKiB;
    };
    take();
    this.#timer = setInterval(take, ms);
  }

  /** Stops sampling and returns the highest VmHWM seen, in KiB. */
  stop(): number {
    clearInterval(this.#timer);
    return this.#peakKiB;
  }
}

/** Facts about this machine and checkout, for results.json. */
export async function machineInfo(): Promise<Record<string, unknown>> {
  const text = (cmd: string, args: string[]) => {
    try {
      const out = new Deno.Command(cmd, { args, cwd: ROOT, stderr: "null" }).outputSync();
      return out.success ? new TextDecoder().decode(out.stdout).trim() : null;
    } catch {
      return null;
    }
  };
  const cpuinfo = await Deno.readTextFile("/proc/cpuinfo").catch(() => "");
  const meminfo = await Deno.readTextFile("/proc/meminfo").catch(() => "");
  const memKiB = Number(meminfo.match(/^MemTotal:\s+(\d+)/m)?.[1] ?? NaN);
  const status = text("git", ["status", "--porcelain"]);
  return {
    nproc: Number(text("nproc", []) ?? navigator.hardwareConcurrency),
    cpu_model: cpuinfo.match(/^model name\s*:\s*(.+)$/m)?.[1]?.trim() ?? null,
    mem_total_mib: Math.round(memKiB / 1024),
    kernel: Deno.osRelease(),
    deno: Deno.version.deno,
    v8: Deno.version.v8,
    git_commit: text("git", ["rev-parse", "HEAD"]),
    git_dirty: status === null ? null : status.length > 0,
    date: new Date().toISOString(),
  };
}

/** Formats a number with thousands separators and `digits` decimals. */
export function fmt(n: number, digits = 0): string {
  if (!Number.isFinite(n)) return String(n);
  return n.toLocaleString("en-US", {
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  });
}

/** Formats milliseconds: one decimal below 100 ms, none above. */
export function ms(n: number): string {
  return `${fmt(n, Math.abs(n) < 100 ? 1 : 0)} ms`;
}

/** One line of the printed table: shared by the bench and the report that reprints it. */
export interface Row {
  /** Workload id (P, B1 … B7). */
  id: string;
  /** What was measured. */
  figure: string;
  /** The measured value, formatted. */
  value: string;
  /** Baseline or ratio measured in the same run. */
  ref: string;
  /** The goal from issue #6, if any. */
  goal: string;
  /** Whether the goal is met; null when there is no goal. */
  met: boolean | null;
}

/**
 * Starts one `worker run` process on `db` from the tree at `root`, as the supervisor starts it
 * but with its output discarded; `denoFlags` go before the script (e.g. `--cpu-prof`).
 */
export function spawnWorkerRun(
  db: TempDb,
  options: { root?: string; denoFlags?: readonly string[] } = {},
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
    ],
    env: db.env,
    cwd: root,
    stdin: "null",
    stdout: "null",
    stderr: "null",
  }).spawn();
}
