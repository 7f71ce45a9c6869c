/**
 * Where and with what variables a claimed job runs: its folder, checked on this host, and its
 * stored environment, read once per environment id and kept. A job that cannot have either is
 * not started: its attempt ends at once with a `final` failure (dead, no retry spent).
 *
 * @module
 */
import type { EnvVars } from "../env_vars.ts";
import type { Job } from "../job.ts";
import { readEnv } from "../store/env_blob.ts";
import type { Store } from "../store/open.ts";
import { NOT_RUN, type RunResult } from "./run_command.ts";

/** What a job runs with, or why it cannot run here. */
export type Setting =
  | { ok: true; cwd: string | undefined; env: EnvVars }
  | { ok: false; error: string };

/** Environments kept per worker; a bulk enqueue shares one, so a few cover most queues. */
const KEPT = 64;

/**
 * Prepares claimed jobs: checks the folder, reads the environment (cached by id).
 *
 * @example
 * ```ts
 * import type { Job } from "../job.ts";
 * import type { Store } from "../store/open.ts";
 * declare const store: Store;
 * declare const job: Job;
 * const setting = await new JobSettings(store, "build-7").prepare(job);
 * ```
 */
export class JobSettings {
  readonly #store: Store;
  readonly #host: string;
  readonly #envs = new Map<string, EnvVars>();

  /** Settings read from `store`, for a worker on `host` (named in the errors). */
  constructor(store: Store, host: string) {
    this.#store = store;
    this.#host = host;
  }

  /**
   * The folder and variables of `job`, or the one-line reason it cannot run on this host. The
   * folder is not looked at here: a spawn into a missing one fails, and {@linkcode whyNotStarted}
   * then names it, so a job that starts pays for no check.
   */
  async prepare(job: Job): Promise<Setting> {
    // Records from before #15 have neither field: the worker's folder, no variables.
    const cwd = job.cwd ?? undefined;
    const envId = job.env ?? null;
    if (envId === null) return { ok: true, cwd, env: {} };
    let env = this.#envs.get(envId);
    if (env === undefined) {
      const read = await readEnv(this.#store, envId);
      if (read === null) {
        return { ok: false, error: `environment ${envId} of the job is missing from the database` };
      }
      if (this.#envs.size === KEPT) this.#envs.clear();
      this.#envs.set(envId, read);
      env = read;
    }
    return { ok: true, cwd, env };
  }

  /**
   * Why `job` could not start, when its folder is the cause: a missing folder (or a file in its
   * place) on this host, as a one-line reason; else null (the spawn's own error stands).
   */
  async whyNotStarted(job: Job): Promise<string | null> {
    const cwd = job.cwd ?? undefined;
    if (cwd === undefined || await isFolder(cwd)) return null;
    return `cwd ${cwd} does not exist on host ${this.#host}`;
  }
}

/**
 * The result of a job that was never started because of `error` (pure).
 *
 * @example
 * ```ts
 * notStarted("cwd /x does not exist on host h").exitCode; // null
 * ```
 */
export function notStarted(error: string): RunResult {
  return { ...NOT_RUN, error };
}

async function isFolder(path: string): Promise<boolean> {
  try {
    return (await Deno.stat(path)).isDirectory;
  } catch {
    return false;
  }
}
