/**
 * The runtime configuration schema: keys, defaults, parsing of typed-in values, printing, and
 * overlaying stored values on the defaults. Pure: where values are stored is someone else's job.
 *
 * @module
 */

import { UsageError } from "./errors.ts";
import { parseHookTemplate, parseHookUrl } from "./finish_hook.ts";
import { numberText } from "./number_text.ts";
import {
  durationKey,
  formatBytes,
  int,
  type KeyRule,
  KIB,
  msKey,
  parseBytes,
  plainNumber,
  textKey,
} from "./config_rule.ts";
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

const SECOND = 1_000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

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

const RULES: Readonly<Record<keyof Config, KeyRule>> = {
  max_retries: {
    parse: plainNumber,
    valid: int(0, 100),
    accepts: "an integer from 0 to 100",
    format: String,
  },
  backoff_base: {
    parse: plainNumber,
    valid: (v) => typeof v === "number" && v >= 1 && v <= 60,
    accepts: "a number from 1 to 60",
    format: String,
  },
  backoff_max: durationKey(SECOND, 30 * DAY),
  poll_interval_ms: msKey(10, 60_000),
  log_level: {
    parse: (text) => text.toLowerCase(),
    valid: (v) => LOG_LEVELS.includes(v as LogLevel),
    accepts: "one of debug, info, warn, error",
    format: String,
  },
  job_timeout: durationKey(100, 30 * DAY, { zero: "no limit" }),
  lease_ms: msKey(1_000, HOUR),
  heartbeat_ms: msKey(100, 600_000),
  shutdown_grace_ms: msKey(0, HOUR),
  output_limit: {
    parse: parseBytes,
    valid: int(0, 384 * KIB),
    accepts: "0 to 393216 bytes (384k)",
    format: formatBytes,
  },
  retention_completed: durationKey(MINUTE, 3650 * DAY, { zero: "keep forever" }),
  retention_dead: durationKey(MINUTE, 3650 * DAY, { zero: "keep forever" }),
  capture_env: {
    parse: (text) => text === "true" ? true : text === "false" ? false : text,
    valid: (v) => typeof v === "boolean",
    accepts: "true or false",
    format: String,
  },
  plain_exec: {
    parse: (text) => text === "true" ? true : text === "false" ? false : text,
    valid: (v) => typeof v === "boolean",
    accepts: "true or false",
    format: String,
  },
  on_finish: textKey(parseHookTemplate, "a command template with known {placeholders}"),
  on_finish_url: textKey(parseHookUrl, "an http or https URL"),
  on_finish_timeout: durationKey(100, 10 * MINUTE),
};

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

/**
 * Reads a typed-in value for `key` and converts it (durations to ms, sizes to bytes).
 * Throws UsageError naming the key, the value and what is accepted; an empty value or one with
 * whitespace around it is refused for every key (`numberText`'s rule).
 *
 * @example
 * ```ts
 * parseConfigValue("backoff_max", "90s"); // 90000
 * parseConfigValue("output_limit", "256k"); // 262144
 * parseConfigValue("output_limit", "1mb"); // throws UsageError: above 384k
 * ```
 */
export function parseConfigValue<K extends keyof Config>(key: K, text: string): Config[K] {
  const [name, rule] = ruleFor(key);
  if (rule.text) return rule.parse(String(text)) as Config[K];
  numberText(String(text), name);
  let value: unknown;
  try {
    value = rule.parse(text);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    value = undefined;
  }
  if (!rule.valid(value)) {
    throw new UsageError(`${name} must be ${rule.accepts}, got ${showValue(text, 40)}`);
  }
  return value as Config[K];
}

/**
 * Checks an already-typed value for `key` (ms, bytes, a level name), as stored or as held in a
 * Config. Throws UsageError naming the key and value.
 *
 * @example
 * ```ts
 * checkConfigValue("lease_ms", 5000); // 5000
 * checkConfigValue("lease_ms", "5s"); // throws: stored values are typed
 * ```
 */
export function checkConfigValue<K extends keyof Config>(key: K, value: unknown): Config[K] {
  const [name, rule] = ruleFor(key);
  if (!rule.valid(value)) {
    throw new UsageError(`${name} must be ${rule.accepts}, got ${showValue(value, 40)}`);
  }
  return value as Config[K];
}

/**
 * The human form of a value: `1h` for backoff_max, `256KiB` for output_limit, `0` for "no
 * limit"/"forever", plain numbers otherwise. The result reads back through parseConfigValue.
 *
 * @example
 * ```ts
 * formatConfigValue("backoff_max", 3_600_000); // "1h"
 * formatConfigValue("output_limit", 262_144); // "256KiB"
 * ```
 */
export function formatConfigValue<K extends keyof Config>(key: K, value: Config[K]): string {
  return (ruleFor(key)[1].format as (value: Config[K]) => string)(value);
}

/**
 * DEFAULT_CONFIG overlaid with stored values. Never throws: unknown keys and invalid values
 * are skipped, because a running worker must not die on one bad stored value. Stored numbers
 * are canonical (ms, bytes); stored strings are read as typed-in text.
 *
 * @example
 * ```ts
 * resolveConfig({ max_retries: 5, lease_ms: -1 }).lease_ms; // 10000 (invalid, ignored)
 * ```
 */
export function resolveConfig(stored: Partial<Record<string, unknown>>): Config {
  const config: Record<string, unknown> = { ...DEFAULT_CONFIG };
  for (const [rawKey, value] of Object.entries(stored ?? {})) {
    try {
      const key = normalizeConfigKey(rawKey);
      config[key] = typeof value === "string"
        ? parseConfigValue(key, value)
        : checkConfigValue(key, value);
    } catch {
      // Skipped on purpose; `config show` is where a bad stored value should be noticed.
    }
  }
  const resolved = config as unknown as Config;
  if (!leaseOutlivesHeartbeats(resolved)) {
    // Neither stored value can be trusted alone; the default pair is known to be consistent.
    resolved.lease_ms = DEFAULT_CONFIG.lease_ms;
    resolved.heartbeat_ms = DEFAULT_CONFIG.heartbeat_ms;
  }
  return resolved;
}

/**
 * Checks every key and the cross-key rule `lease_ms > 2 * heartbeat_ms` (a lease must survive
 * a missed heartbeat). Throws UsageError naming the offending values.
 *
 * @example
 * ```ts
 * validateConfig({ ...DEFAULT_CONFIG, lease_ms: 1500 }); // throws: heartbeat_ms is 1000
 * ```
 */
export function validateConfig(config: Config): void {
  for (const key of CONFIG_KEYS) checkConfigValue(key, config[key]);
  if (!leaseOutlivesHeartbeats(config)) {
    throw new UsageError(
      `lease_ms must be more than twice heartbeat_ms, got lease_ms ${config.lease_ms} ` +
        `and heartbeat_ms ${config.heartbeat_ms}`,
    );
  }
}

/** The rule for `key`; kebab-case or unknown keys from untyped callers go through normalizing. */
function ruleFor(key: string): [keyof Config, KeyRule] {
  const name = Object.hasOwn(RULES, key) ? key as keyof Config : normalizeConfigKey(key);
  return [name, RULES[name]];
}

function leaseOutlivesHeartbeats(config: Config): boolean {
  return config.lease_ms > config.heartbeat_ms * 2;
}
