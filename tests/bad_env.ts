/**
 * Shared by the hostile-environment tests (`bad_env_*_test.ts`): whether they run as root, a
 * system tool run that reports success instead of throwing, and a CLI run under a deadline.
 *
 * @module
 */
import { cliArgv, type CliResult, type TempDb } from "./helpers.ts";

/** As root (CI), permission bits stop nothing and a tmpfs can be mounted. */
export const ROOT = Deno.uid() === 0;

/** Runs a tool synchronously; true when it exited 0. */
export function tool(cmd: string, args: string[]): boolean {
  try {
    return new Deno.Command(cmd, { args, stdout: "null", stderr: "null" }).outputSync().success;
  } catch {
    return false;
  }
}

/**
 * Runs the CLI but kills it after `ms`: a command that should fail at once and instead keeps
 * running (a crash loop) must fail the test, not hang it. `timedOut` says whether it was killed.
 */
export async function cliWithin(
  db: TempDb,
  args: string[],
  ms: number,
  env: Record<string, string> = {},
): Promise<CliResult & { timedOut: boolean; ms: number }> {
  const started = Date.now();
  const deadline = AbortSignal.timeout(ms);
  const out = await new Deno.Command(Deno.execPath(), {
    args: [...cliArgv(), ...args],
    env: { ...db.env, ...env },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
    signal: deadline,
  }).output();
  const dec = new TextDecoder();
  return {
    code: out.code,
    stdout: dec.decode(out.stdout),
    stderr: dec.decode(out.stderr),
    timedOut: deadline.aborted,
    ms: Date.now() - started,
  };
}

/** `worker start` that should refuse at once; 20 s leaves room for a loaded machine. */
export const PROMPTLY_MS = 20_000;

/** A tiny tmpfs needs root (or CAP_SYS_ADMIN) and a kernel that allows it here. */
export const CAN_MOUNT_TMPFS = (() => {
  if (!ROOT) return false;
  const dir = Deno.makeTempDirSync({ prefix: "queuectl-probe-" });
  try {
    const ok = tool("mount", ["-t", "tmpfs", "-o", "size=64k", "tmpfs", dir]);
    if (ok) tool("umount", [dir]);
    return ok;
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
})();

/** Mounts a tmpfs of `size` (e.g. "1m") on `dir`, which must exist; false when it failed. */
export function mountTmpfs(dir: string, size: string): boolean {
  return tool("mount", ["-t", "tmpfs", "-o", `size=${size},mode=0700`, "tmpfs", dir]);
}

/** Unmounts `dir`, lazily when it is still busy, so the temp folder can be removed. */
export function unmount(dir: string): void {
  if (!tool("umount", [dir])) tool("umount", ["-l", dir]);
}

/** A test database on a tiny tmpfs of its own; disposing of it unmounts the tmpfs. */
export interface TinyDisk extends Disposable {
  /** Where the tmpfs is mounted. */
  mnt: string;
  /** The test database, moved onto the tmpfs. */
  db: TempDb;
}

/**
 * Mounts a 1 MiB tmpfs in `db`'s folder and points a copy of `db` at a database on it, so a test
 * can fill the disk under it. Needs root; callers are ignored where {@linkcode mountTmpfs} fails.
 *
 * @example
 * ```ts
 * import { tempDb } from "./helpers.ts";
 * await using db = await tempDb();
 * using disk = await tinyDisk(db);
 * ```
 */
export async function tinyDisk(db: TempDb): Promise<TinyDisk> {
  const mnt = `${db.dir}/mnt`;
  await Deno.mkdir(mnt);
  if (!mountTmpfs(mnt, "1m")) throw new Error(`could not mount a tmpfs at ${mnt}`);
  return {
    mnt,
    db: { ...db, env: { ...db.env, QUEUECTL_DB: `${mnt}/queue.kv` } },
    [Symbol.dispose]: () => unmount(mnt),
  };
}

/** Fills the file system holding `dir` with one file; returns its path. */
export async function fillDisk(dir: string, name = "filler"): Promise<string> {
  const path = `${dir}/${name}`;
  using file = await Deno.open(path, { write: true, create: true });
  const block = new Uint8Array(16 * 1024);
  for (;;) {
    try {
      await file.write(block);
    } catch {
      // ENOSPC, possibly after a partial write: the disk is now full.
      break;
    }
  }
  return path;
}
