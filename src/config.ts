/**
 * The runtime configuration schema: the keys, their defaults and descriptions, and the
 * normalizing of a key's name. Parsing, checking and printing values is `config_value.ts`.
 *
 * @module
 */

import { UsageError } from "./errors.ts";
import { HOUR, KIB, SECOND } from "./config_rule.ts";
import { showValue, suggest } from "./suggest.ts";

/**
 * How chatty logs are.
 *
 * @example
 * ```ts
 * const level: LogLevel = "warn";
 * ```
 */
export type LogLevel = "debug" | "info" | "warn" | "error";

/**
 * Every log level, most verbose first.
 *
 * @example
 * ```ts
 * LOG_LEVELS.indexOf("warn") >= LOG_LEVELS.indexOf("info"); // true: warn is shown at info
 * ```
 */
export const LOG_LEVELS: readonly LogLevel[] = ["debug", "info", "warn", "error"];

/**
 * Runtime configuration. Durations and sizes are stored in ms and bytes.
 *
 * @example
 * ```ts
 * const config: Config = { ...DEFAULT_CONFIG, max_retries: 5 };
 * ```
 */
export interface Config {
  /** Retries after the first attempt, 0..100. */
  max_retries: number;
  /** Seconds base of the exponential backoff, 1..60. */
  backoff_base: number;
  /** Longest retry delay in ms, 1s..30d. */
  backoff_max: number;
  /** How often an idle worker polls, in ms, 10..60000. */
  poll_interval_ms: number;
  /** Minimum level of log lines. */
  log_level: LogLevel;
  /** Default per-attempt time limit in ms; 0 = no limit. */
  job_timeout: number;
  /** How long a claim lasts without a heartbeat, in ms. */
  lease_ms: number;
  /** How often a worker renews its lease, in ms. */
  heartbeat_ms: number;
  /** How long a stopping worker waits for running jobs, in ms. */
  shutdown_grace_ms: number;
  /** Bytes of output kept per stream per attempt. */
  output_limit: number;
  /** How long completed jobs are kept, in ms; 0 = forever. */
  retention_completed: number;
  /** How long dead jobs are kept, in ms; 0 = forever. */
  retention_dead: number;
  /** Whether `enqueue` records the calling shell's whole environment, as `--env-all` does. */
  capture_env: boolean;
  /** Whether a job of plain words runs without `sh -c` (`src/worker/plain_exec.ts`). */
  plain_exec: boolean;
  /** Command template run after a job's final transition (`src/finish_hook.ts`); "" = none. */
  on_finish: string;
  /** URL the job's JSON is POSTed to after its final transition; "" = none. */
  on_finish_url: string;
  /** Time limit of one hook run or one POST, in ms. */
  on_finish_timeout: number;
}

/**
 * The defaults every unset key takes.
 *
 * @example
 * ```ts
 * DEFAULT_CONFIG.max_retries; // 3
 * ```
 */
export const DEFAULT_CONFIG: Readonly<Config> = Object.freeze({
  max_retries: 3,
  backoff_base: 2,
  backoff_max: HOUR,
  poll_interval_ms: 500,
  log_level: "info",
  job_timeout: 0,
  lease_ms: 10_000,
  heartbeat_ms: 1_000,
  shutdown_grace_ms: 30_000,
  // 384 KiB is the ceiling: two streams of it must fit one 800 KiB KV atomic operation.
  output_limit: 256 * KIB,
  retention_completed: 0,
  retention_dead: 0,
  // Off: an environment is full of secrets the job does not need, and costs a read per job.
  capture_env: false,
  // On: the shell is the largest CPU cost of a short job, and plain words need none.
  plain_exec: true,
  on_finish: "",
  on_finish_url: "",
  on_finish_timeout: 10 * SECOND,
});

/**
 * Every config key, in the order `config show` lists them.
 *
 * @example
 * ```ts
 * CONFIG_KEYS.includes("lease_ms"); // true
 * ```
 */
export const CONFIG_KEYS: readonly (keyof Config)[] = Object.freeze(
  Object.keys(DEFAULT_CONFIG) as (keyof Config)[],
);

/**
 * One line per key for `config show` and the README, including accepted values.
 *
 * @example
 * ```ts
 * console.log(`max_retries  ${CONFIG_DESCRIPTIONS.max_retries}`);
 * ```
 */
export const CONFIG_DESCRIPTIONS: Readonly<Record<keyof Config, string>> = Object.freeze({
  max_retries: "retries after the first attempt (integer 0 to 100)",
  backoff_base: "retry k waits backoff_base^k seconds (number 1 to 60)",
  backoff_max: "longest wait between retries (duration 1s to 30d; bare number = seconds)",
  poll_interval_ms: "how often an idle worker looks for jobs (ms 10 to 60000, or e.g. 1s)",
  log_level: "least severe log lines printed (debug, info, warn or error)",
  job_timeout: "default time limit per attempt (duration 100ms to 30d; 0 = no limit)",
  lease_ms: "how long a claim survives without a heartbeat (ms 1000 to 3600000)",
  heartbeat_ms: "how often a worker renews its leases (ms 100 to 600000; lease_ms > 2x this)",
  shutdown_grace_ms: "how long a stopping worker lets running jobs finish (ms 0 to 3600000)",
  output_limit: "output kept per stream per attempt (bytes up to 384k, e.g. 256k, 512kb)",
  retention_completed: "how long completed jobs are kept (duration 1m to 3650d; 0 = forever)",
  retention_dead: "how long dead jobs are kept (duration 1m to 3650d; 0 = forever)",
  capture_env: "enqueue records the shell's whole environment, as --env-all (true or false)",
  plain_exec: "a job of plain words runs without sh -c, as the shell would run it (true or false)",
  on_finish: 'command run when a job ends, with {id} {state} {exit_code}… ("" = none)',
  on_finish_url: 'http(s) URL the ended job\'s JSON is POSTed to ("" = none)',
  on_finish_timeout: "time limit of one hook run or POST (duration 100ms to 10m)",
});

/**
 * The canonical snake_case key for `key` (kebab-case accepted). Throws UsageError for an
 * unknown key, suggesting the closest one.
 *
 * @example
 * ```ts
 * normalizeConfigKey("max-retries"); // "max_retries"
 * ```
 */
export function normalizeConfigKey(key: string): keyof Config {
  const snake = String(key).trim().toLowerCase().replaceAll("-", "_");
  if ((CONFIG_KEYS as readonly string[]).includes(snake)) return snake as keyof Config;
  const close = suggest(snake, CONFIG_KEYS);
  const hint = close === undefined ? "" : `did you mean "${close}"? `;
  throw new UsageError(
    `unknown config key ${showValue(key, 40)} (${hint}known: ${CONFIG_KEYS.join(", ")})`,
  );
}
