/**
 * Readings from /proc: whether a process lives, its memory and CPU time, the machine's CPU time
 * and load.
 *
 * @module
 */

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
