/**
 * What one `enqueue` call gives every job it stores: the folder it was called from (or
 * `--cwd`), checked to exist on this host, and its variables (`--env`, and with `--env-all` or
 * the `capture_env` config the whole environment of the calling shell). Bad input is a
 * one-line UsageError, thrown before anything is written.
 *
 * @module
 */
import { type EnvVars, parseEnvAssignment, shellEnv } from "../env_vars.ts";
import { UsageError } from "../errors.ts";
import { showValue } from "../suggest.ts";

/** The options of `enqueue` this module reads. */
export interface CallFlags {
  /** `--cwd`. */
  cwd?: string;
  /** `--env`, each `KEY=VALUE`. */
  env?: readonly string[];
  /** `--env-all`. */
  envAll?: boolean;
}

/**
 * The variables `--env` gives, checked (a later one of the same name wins).
 *
 * @example
 * ```ts
 * envFlags({ env: ["A=1", "B=x=y"] }); // { A: "1", B: "x=y" }
 * ```
 */
export function envFlags(flags: CallFlags): EnvVars {
  const env: EnvVars = {};
  for (const text of flags.env ?? []) {
    const [name, value] = parseEnvAssignment(text);
    env[name] = value;
  }
  return env;
}

/**
 * The call's variables: the calling shell's whole environment when `--env-all` is given or
 * `captureEnv` (the config) is on, with `--env` laid over it; else `--env` alone.
 *
 * @example
 * ```ts
 * callEnv({ env: ["A=1"] }, { captureEnv: false }); // { A: "1" }
 * ```
 */
export function callEnv(flags: CallFlags, options: { captureEnv: boolean }): EnvVars {
  const own = envFlags(flags);
  if (!flags.envAll && !options.captureEnv) return own;
  return { ...shellEnv(Deno.env.toObject()), ...own };
}

/**
 * A spec's `cwd` (from `--cwd` or the JSON) made absolute against this process's folder, and
 * checked to be a folder on this host (each distinct one is looked at once, in `seen`).
 * Returns the fields with it; other values go on for the spec check to refuse.
 *
 * @example
 * ```ts
 * resolveCwd({ command: "make", cwd: "." }, new Set()).cwd === Deno.cwd(); // true
 * ```
 */
export function resolveCwd(
  fields: Record<string, unknown>,
  seen: Set<string>,
): Record<string, unknown> {
  const given = fields.cwd;
  if (typeof given !== "string" || given === "") return fields;
  const cwd = absolute(given);
  if (!seen.has(cwd)) {
    assertFolder(cwd, given);
    seen.add(cwd);
  }
  return cwd === given ? fields : { ...fields, cwd };
}

/**
 * The folder of this `enqueue` call, for jobs that name none.
 *
 * @example
 * ```ts
 * callerCwd() === Deno.cwd(); // true
 * ```
 */
export function callerCwd(): string {
  try {
    return Deno.cwd();
  } catch (err) {
    throw new UsageError(
      `cannot read the current folder (${(err as Error).message.split("\n")[0]}); give --cwd`,
    );
  }
}

function absolute(path: string): string {
  if (path.startsWith("/")) return normalize(path);
  return normalize(`${callerCwd()}/${path}`);
}

/** Removes `.`, `..` and repeated slashes from an absolute path, as the shell's `cd` would. */
function normalize(path: string): string {
  const out: string[] = [];
  for (const part of path.split("/")) {
    if (part === "" || part === ".") continue;
    if (part === "..") out.pop();
    else out.push(part);
  }
  return `/${out.join("/")}`;
}

function assertFolder(path: string, given: string): void {
  let info: Deno.FileInfo;
  try {
    info = Deno.statSync(path);
  } catch {
    throw new UsageError(
      `cwd must be an existing folder on this host, got ${showValue(given, 80)}: not found`,
    );
  }
  if (!info.isDirectory) {
    throw new UsageError(
      `cwd must be an existing folder on this host, got ${showValue(given, 80)}: not a folder`,
    );
  }
}
