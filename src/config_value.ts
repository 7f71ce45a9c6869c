/**
 * The values of the config keys: each key's rule, the parsing of typed-in values, the checking of
 * typed ones, their printing, and the overlay of stored values on the defaults (with the cross-key
 * rule `lease_ms > 2 * heartbeat_ms`). Pure: where values are stored is someone else's job.
 *
 * @module
 */

import {
  type Config,
  CONFIG_KEYS,
  DEFAULT_CONFIG,
  LOG_LEVELS,
  type LogLevel,
  normalizeConfigKey,
} from "./config.ts";
import { UsageError } from "./errors.ts";
import { parseHookTemplate, parseHookUrl } from "./finish_hook.ts";
import { numberText } from "./number_text.ts";
import {
  DAY,
  durationKey,
  formatBytes,
  HOUR,
  int,
  type KeyRule,
  KIB,
  MINUTE,
  msKey,
  parseBytes,
  plainNumber,
  SECOND,
  textKey,
} from "./config_rule.ts";
import { showValue } from "./suggest.ts";

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
 * import { DEFAULT_CONFIG } from "./config.ts";
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
