/**
 * Facts about this machine and checkout, recorded with every run.
 *
 * @module
 */
import { ROOT } from "./lib.ts";

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
