/**
 * Starts a plain command (see `plain_words.ts`) without `sh -c`, as task-spooler does, with what
 * the shell would have given it: the program dash would find on the job's PATH, the argv as
 * typed, the environment dash would pass on (`exec_path.ts`), its own session and process
 * group, the same stdin, pipes and working directory. Only where the posix_spawn spawner works
 * (Linux with glibc), so a failed exec is reported at once with nothing run.
 *
 * Whenever the shell's behaviour is not certain, {@linkcode spawnPlain} returns null and the
 * caller runs `sh -c` after all. That includes every failure to start: a missing program, one
 * that may not be executed, a script without `#!` (dash runs it itself). Those are rare, and the
 * shell then prints its own message and exits 127 or 126 exactly as it always did.
 *
 * Two differences remain, documented, both because no shell stands in between. A program killed
 * by a signal that reached only it (a crash, `abort()`, the OOM killer) reports that signal, where
 * dash, which waits for it as a child, exits 128+n. And on a timeout or cancel a program that
 * handles SIGTERM has the kill grace to finish, where the shell died of the TERM at once and took
 * the group with it; a program that does not handle it ends with SIGTERM both ways.
 *
 * @module
 */
import { findExecutable, shellEnv } from "./exec_path.ts";
import { plainWords } from "./plain_words.ts";
import { inheritedEnv, type SessionChild, type SessionSpawner } from "./spawn_session.ts";

/** Where and with what a plain command runs. */
export interface PlainOptions {
  /** Variables added to the inherited environment. */
  env?: Record<string, string>;
  /** Working directory. Default: this process's cwd. */
  cwd?: string;
}

/**
 * Starts `command` directly through `spawner` and returns the child, or null when the command is
 * not plain words, the program's path is not certain, or it could not be started: the caller
 * then runs it through `sh -c`.
 *
 * @example
 * ```ts
 * import { sessionSpawner } from "./spawn_session.ts";
 * const spawner = sessionSpawner();
 * const child = spawner && await spawnPlain("sleep 0.01", spawner, { cwd: "/tmp" });
 * ```
 */
export async function spawnPlain(
  command: string,
  spawner: SessionSpawner,
  options: PlainOptions = {},
): Promise<SessionChild | null> {
  const argv = plainWords(command);
  if (argv === null) return null;
  const here = Deno.cwd();
  const cwd = options.cwd === undefined
    ? here
    : options.cwd.startsWith("/")
    ? options.cwd
    : `${here}/${options.cwd}`;
  const given = { ...inheritedEnv(), ...options.env };
  const program = findExecutable(argv[0]!, { path: given.PATH, cwd, exists: spawner.exists });
  if (program === null) return null;
  try {
    const env = shellEnv(given, {
      realCwd: Deno.realPathSync(cwd),
      samePwd: (pwd) => sameFile(pwd, cwd),
    });
    return await spawner.spawn(program, argv, { env, cwd: options.cwd, inherit: false });
  } catch {
    // Nothing ran: the shell will start it, or fail to, and say why in its own words.
    return null;
  }
}

function sameFile(a: string, b: string): boolean {
  try {
    const x = Deno.statSync(a);
    const y = Deno.statSync(b);
    return x.dev === y.dev && x.ino !== null && x.ino === y.ino;
  } catch {
    return false;
  }
}
