/**
 * What `sh` (dash) would do before it execs a plain command, done without a shell: find the
 * program on the job's PATH, and build the environment the program would get from the shell.
 * Each function answers null where it cannot be sure of the shell's answer, and the caller then
 * runs the command through `sh -c` after all: being wrong would run a different program, while
 * being unsure only costs a shell.
 *
 * @module
 */

/** Who is asking, for the permission check: the ids the program would run as. */
export interface Ids {
  /** Effective user id (0 is root). */
  uid: number;
  /** Effective group id. */
  gid: number;
}

/** What {@linkcode findExecutable} needs to know. */
export interface SearchOptions {
  /** The job's PATH, as its shell would see it; undefined when unset. */
  path: string | undefined;
  /** The absolute folder the job runs in: relative names and PATH entries start there. */
  cwd: string;
  /** The ids whose permissions count. Default: this process's. */
  ids?: Ids;
  /** A cheap first check that a path exists (a miss must be certain). Default: none. */
  exists?: (path: string) => boolean;
}

/**
 * The absolute path `sh` would exec for the command name `name`, or null when it would not find
 * one or when that cannot be told for sure. A name holding `/` is a path from `cwd` and is not
 * searched (an exec failure is the caller's to handle). Otherwise each PATH entry is tried in
 * order, an empty entry meaning `cwd`, as dash does: the first regular file executable by
 * `ids` wins. A file whose execute permission depends on groups this process cannot see (its
 * group and "other" bits differ, and it is neither ours nor our group's) stops the search with
 * null; so does an unset PATH (dash's built-in default would apply) and a `%` in PATH (dash
 * reads `%func` entries as options).
 *
 * @example
 * ```ts
 * findExecutable("true", { path: "/usr/bin:/bin", cwd: "/tmp" }); // "/usr/bin/true"
 * findExecutable("./run.sh", { path: "/usr/bin", cwd: "/srv/app" }); // "/srv/app/./run.sh"
 * findExecutable("no-such-program", { path: "/usr/bin", cwd: "/tmp" }); // null
 * ```
 */
export function findExecutable(name: string, options: SearchOptions): string | null {
  const { path, cwd } = options;
  if (name.includes("/")) return name.startsWith("/") ? name : `${cwd}/${name}`;
  if (path === undefined || path.includes("%")) return null;
  const ids = options.ids ?? { uid: Deno.uid() ?? -1, gid: Deno.gid() ?? -1 };
  // Most entries miss, and Deno builds a stack trace for each miss: a visible cost per job.
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    for (const dir of path.split(":")) {
      const joined = dir === "" ? name : `${dir}/${name}`;
      const full = joined.startsWith("/") ? joined : `${cwd}/${joined}`;
      const info = options.exists?.(full) === false ? null : statOrNull(full);
      // Not there, a folder on the way we may not enter, or not a file: dash goes on too.
      if (info === null || !info.isFile) continue;
      const verdict = executable(info, ids);
      if (verdict === null) return null;
      if (verdict) return full;
    }
    return null;
  } finally {
    Error.stackTraceLimit = limit;
  }
}

function statOrNull(path: string): Deno.FileInfo | null {
  try {
    return Deno.statSync(path);
  } catch {
    return null;
  }
}

/**
 * Whether `ids` may execute a file with these mode and owners (pure), as access(2) decides from
 * the mode bits; null when it turns on supplementary groups, which this process does not know.
 *
 * @example
 * ```ts
 * const file = { mode: 0o100754, uid: 1000, gid: 1000 } as Deno.FileInfo;
 * executable(file, { uid: 1000, gid: 50 }); // true: the owner's bit
 * executable(file, { uid: 2000, gid: 1000 }); // true: the group's bit
 * executable(file, { uid: 2000, gid: 50 }); // null: "other" says no, a supplementary group might say yes
 * ```
 */
export function executable(file: Deno.FileInfo, ids: Ids): boolean | null {
  const mode = file.mode ?? 0;
  if ((mode & 0o111) === 0) return false;
  if (ids.uid === 0) return true; // Root may execute a file with any execute bit set.
  if (file.uid === ids.uid) return (mode & 0o100) !== 0;
  if (file.gid === ids.gid) return (mode & 0o010) !== 0;
  const group = (mode & 0o010) !== 0;
  const other = (mode & 0o001) !== 0;
  return group === other ? other : null;
}

/**
 * The environment `sh` hands to a program it execs (pure): the variables it was given, less
 * those whose names are not shell names (dash drops `A-B=1` and `1X=2`), with `PWD` set as dash
 * sets it: the given `PWD` when it is an absolute name of the folder it runs in (`samePwd`
 * decides), else the folder's physical path `realCwd`.
 *
 * @example
 * ```ts
 * shellEnv({ HOME: "/root", "A-B": "1", PWD: "/old" }, { realCwd: "/srv", samePwd: () => false });
 * // { HOME: "/root", PWD: "/srv" }
 * ```
 */
export function shellEnv(
  env: Readonly<Record<string, string>>,
  where: { realCwd: string; samePwd: (pwd: string) => boolean },
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) {
    if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) out[name] = value;
  }
  const pwd = out.PWD;
  out.PWD = pwd !== undefined && pwd.startsWith("/") && where.samePwd(pwd) ? pwd : where.realCwd;
  return out;
}
