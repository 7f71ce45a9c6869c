import assert from "node:assert/strict";
import {
  type Config,
  CONFIG_DESCRIPTIONS,
  CONFIG_KEYS,
  DEFAULT_CONFIG,
  LOG_LEVELS,
  normalizeConfigKey,
} from "./config.ts";
import {
  checkConfigValue,
  formatConfigValue,
  parseConfigValue,
  resolveConfig,
  validateConfig,
} from "./config_value.ts";
import { UsageError } from "./errors.ts";

Deno.test("DEFAULT_CONFIG holds the documented defaults and is frozen", () => {
  assert.deepEqual({ ...DEFAULT_CONFIG }, {
    max_retries: 3,
    backoff_base: 2,
    backoff_max: 3_600_000,
    poll_interval_ms: 500,
    log_level: "info",
    job_timeout: 0,
    lease_ms: 10_000,
    heartbeat_ms: 1_000,
    shutdown_grace_ms: 30_000,
    output_limit: 262_144,
    retention_completed: 0,
    retention_dead: 0,
    capture_env: false,
    plain_exec: true,
    on_finish: "",
    on_finish_url: "",
    on_finish_timeout: 10_000,
  });
  assert.ok(Object.isFrozen(DEFAULT_CONFIG));
  assert.doesNotThrow(() => validateConfig({ ...DEFAULT_CONFIG }));
});

Deno.test("CONFIG_KEYS lists every key once with a description", () => {
  assert.deepEqual([...CONFIG_KEYS].sort(), Object.keys(DEFAULT_CONFIG).sort());
  assert.equal(new Set(CONFIG_KEYS).size, CONFIG_KEYS.length);
  for (const key of CONFIG_KEYS) {
    assert.ok(CONFIG_DESCRIPTIONS[key].length > 10, key);
    assert.ok(!CONFIG_DESCRIPTIONS[key].includes("\n"), key);
  }
  assert.deepEqual(LOG_LEVELS, ["debug", "info", "warn", "error"]);
});

Deno.test("normalizeConfigKey accepts snake and kebab case", () => {
  assert.equal(normalizeConfigKey("max_retries"), "max_retries");
  assert.equal(normalizeConfigKey("max-retries"), "max_retries");
  assert.equal(normalizeConfigKey("Poll-Interval-MS"), "poll_interval_ms");
  assert.equal(normalizeConfigKey(" log_level "), "log_level");
  for (const key of CONFIG_KEYS) assert.equal(normalizeConfigKey(key.replaceAll("_", "-")), key);
});

Deno.test("normalizeConfigKey lists the known keys for an unknown key", () => {
  assert.throws(() => normalizeConfigKey("foo"), {
    name: "UsageError",
    message: `unknown config key "foo" (known: ${CONFIG_KEYS.join(", ")})`,
  });
});

Deno.test("normalizeConfigKey suggests the close key for a typo", () => {
  assert.throws(() => normalizeConfigKey("max-retrys"), {
    message: /^unknown config key "max-retrys" \(did you mean "max_retries"\? known: max_retries,/,
  });
  assert.throws(() => normalizeConfigKey("heartbeat"), { message: /did you mean "heartbeat_ms"/ });
});

Deno.test("parseConfigValue reads integers and numbers for max_retries and backoff_base", () => {
  assert.equal(parseConfigValue("max_retries", "0"), 0);
  assert.equal(parseConfigValue("max_retries", "100"), 100);
  assert.equal(parseConfigValue("backoff_base", "1"), 1);
  assert.equal(parseConfigValue("backoff_base", "1.5"), 1.5);
  assert.equal(parseConfigValue("backoff_base", "60"), 60);
});

Deno.test("parseConfigValue rejects out-of-range or malformed numbers with the range", () => {
  assert.throws(() => parseConfigValue("max_retries", "101"), {
    name: "UsageError",
    message: 'max_retries must be an integer from 0 to 100, got "101"',
  });
  for (const bad of ["-1", "1.5", "three", "0x10", "1e2", "Infinity"]) {
    assert.throws(() => parseConfigValue("max_retries", bad), UsageError, bad);
  }
  for (const bad of ["0.5", "61", "2s", "NaN"]) {
    assert.throws(
      () => parseConfigValue("backoff_base", bad),
      { message: /^backoff_base must be a number from 1 to 60, got / },
    );
  }
});

Deno.test("parseConfigValue refuses an empty value or one with whitespace around it, for every key but the hooks", () => {
  for (const key of CONFIG_KEYS.filter((k) => k !== "on_finish" && k !== "on_finish_url")) {
    const good = formatConfigValue(key, DEFAULT_CONFIG[key]);
    assert.throws(() => parseConfigValue(key, ""), {
      name: "UsageError",
      message: `${key} must not be empty`,
    });
    for (const bad of [` ${good}`, `${good} `, `\t${good}\n`]) {
      assert.throws(() => parseConfigValue(key, bad), {
        name: "UsageError",
        message: `${key} must not have spaces around it, got ${JSON.stringify(bad)}`,
      });
    }
  }
});

Deno.test("parseConfigValue reads backoff_max as a duration with bare seconds", () => {
  assert.equal(parseConfigValue("backoff_max", "1h"), 3_600_000);
  assert.equal(parseConfigValue("backoff_max", "90s"), 90_000);
  assert.equal(parseConfigValue("backoff_max", "90"), 90_000);
  assert.equal(parseConfigValue("backoff_max", "1s"), 1_000);
  assert.equal(parseConfigValue("backoff_max", "30d"), 30 * 86_400_000);
  for (const bad of ["999ms", "31d", "0", "soon", "-1h"]) {
    assert.throws(() => parseConfigValue("backoff_max", bad), {
      message: new RegExp(`^backoff_max must be a duration from 1s to 30d, got "${bad}"$`),
    });
  }
});

Deno.test("parseConfigValue reads *_ms keys as bare ms or durations", () => {
  assert.equal(parseConfigValue("poll_interval_ms", "250"), 250);
  assert.equal(parseConfigValue("poll_interval_ms", "1s"), 1_000);
  assert.equal(parseConfigValue("poll_interval_ms", "10"), 10);
  assert.equal(parseConfigValue("poll_interval_ms", "1m"), 60_000);
  assert.equal(parseConfigValue("lease_ms", "30s"), 30_000);
  assert.equal(parseConfigValue("lease_ms", "1000"), 1_000);
  assert.equal(parseConfigValue("lease_ms", "1h"), 3_600_000);
  assert.equal(parseConfigValue("heartbeat_ms", "100"), 100);
  assert.equal(parseConfigValue("heartbeat_ms", "10m"), 600_000);
  assert.equal(parseConfigValue("shutdown_grace_ms", "0"), 0);
  assert.equal(parseConfigValue("shutdown_grace_ms", "1h"), 3_600_000);
});

Deno.test("parseConfigValue rejects *_ms values outside their ranges", () => {
  const cases: [keyof Config, string, string][] = [
    ["poll_interval_ms", "9", "10 to 60000 ms"],
    ["poll_interval_ms", "61s", "10 to 60000 ms"],
    ["lease_ms", "999", "1000 to 3600000 ms"],
    ["lease_ms", "2h", "1000 to 3600000 ms"],
    ["heartbeat_ms", "99", "100 to 600000 ms"],
    ["heartbeat_ms", "11m", "100 to 600000 ms"],
    ["shutdown_grace_ms", "-1", "0 to 3600000 ms"],
    ["shutdown_grace_ms", "2h", "0 to 3600000 ms"],
    ["lease_ms", "fast", "1000 to 3600000 ms"],
  ];
  for (const [key, text, range] of cases) {
    assert.throws(() => parseConfigValue(key, text), {
      name: "UsageError",
      message: `${key} must be ${range}, got "${text}"`,
    });
  }
});

Deno.test("parseConfigValue reads log_level case-insensitively and rejects others", () => {
  for (const level of LOG_LEVELS) assert.equal(parseConfigValue("log_level", level), level);
  assert.equal(parseConfigValue("log_level", "WARN"), "warn");
  assert.throws(() => parseConfigValue("log_level", "verbose"), {
    message: 'log_level must be one of debug, info, warn, error, got "verbose"',
  });
});

Deno.test("parseConfigValue reads job_timeout as 0 or 100ms to 30d", () => {
  assert.equal(parseConfigValue("job_timeout", "0"), 0);
  assert.equal(parseConfigValue("job_timeout", "0s"), 0);
  assert.equal(parseConfigValue("job_timeout", "100ms"), 100);
  assert.equal(parseConfigValue("job_timeout", "90"), 90_000);
  assert.equal(parseConfigValue("job_timeout", "30d"), 30 * 86_400_000);
  for (const bad of ["50ms", "31d", "-1", "never"]) {
    assert.throws(
      () => parseConfigValue("job_timeout", bad),
      {
        message: /^job_timeout must be 0 \(no limit\) or a duration from 100ms to 30d, got /,
      },
    );
  }
});

Deno.test("parseConfigValue reads output_limit as 256k, 1mb, 512kb, KiB or bare bytes", () => {
  assert.equal(parseConfigValue("output_limit", "256k"), 262_144);
  assert.equal(parseConfigValue("output_limit", "256KiB"), 262_144);
  assert.equal(parseConfigValue("output_limit", "384kb"), 393_216);
  assert.equal(parseConfigValue("output_limit", "1.5k"), 1_536);
  assert.equal(parseConfigValue("output_limit", "4096"), 4_096);
  assert.equal(parseConfigValue("output_limit", "100b"), 100);
  assert.equal(parseConfigValue("output_limit", "0"), 0);
  assert.equal(parseConfigValue("output_limit", "0.25m"), 262_144);
  assert.equal(parseConfigValue("output_limit", "0.25MB"), 262_144);
});

Deno.test("parseConfigValue rejects output_limit above 384k and malformed sizes", () => {
  for (const bad of ["1m", "1mb", "512kb", "393217", "-1", "1g", "0.1k", "lots"]) {
    assert.throws(() => parseConfigValue("output_limit", bad), {
      message: `output_limit must be 0 to 393216 bytes (384k), got "${bad}"`,
    });
  }
});

Deno.test("parseConfigValue reads retention as 0 or 1m to 3650d", () => {
  for (const key of ["retention_completed", "retention_dead"] as const) {
    assert.equal(parseConfigValue(key, "0"), 0);
    assert.equal(parseConfigValue(key, "1m"), 60_000);
    assert.equal(parseConfigValue(key, "7d"), 7 * 86_400_000);
    assert.equal(parseConfigValue(key, "3600"), 3_600_000);
    assert.equal(parseConfigValue(key, "3650d"), 3650 * 86_400_000);
    for (const bad of ["59s", "3651d", "forever"]) {
      assert.throws(() => parseConfigValue(key, bad), {
        message: `${key} must be 0 (keep forever) or a duration from 1m to 3650d, got "${bad}"`,
      });
    }
  }
});

Deno.test("formatConfigValue prints durations, sizes and plain numbers", () => {
  assert.equal(formatConfigValue("backoff_max", 3_600_000), "1h");
  assert.equal(formatConfigValue("backoff_max", 5_400_000), "1h30m");
  assert.equal(formatConfigValue("output_limit", 262_144), "256KiB");
  assert.equal(formatConfigValue("output_limit", 1_048_576), "1MiB");
  assert.equal(formatConfigValue("output_limit", 1_000), "1000");
  assert.equal(formatConfigValue("output_limit", 0), "0");
  assert.equal(formatConfigValue("job_timeout", 0), "0");
  assert.equal(formatConfigValue("job_timeout", 90_000), "1m30s");
  assert.equal(formatConfigValue("retention_dead", 0), "0");
  assert.equal(formatConfigValue("retention_completed", 7 * 86_400_000), "7d");
  assert.equal(formatConfigValue("max_retries", 3), "3");
  assert.equal(formatConfigValue("backoff_base", 1.5), "1.5");
  assert.equal(formatConfigValue("lease_ms", 10_000), "10000");
  assert.equal(formatConfigValue("log_level", "warn"), "warn");
});

Deno.test("formatConfigValue output reads back through parseConfigValue for every default", () => {
  for (const key of CONFIG_KEYS) {
    const text = formatConfigValue(key, DEFAULT_CONFIG[key]);
    assert.equal(parseConfigValue(key, text), DEFAULT_CONFIG[key], `${key} = ${text}`);
  }
});

Deno.test("checkConfigValue accepts typed values and rejects text or out-of-range ones", () => {
  assert.equal(checkConfigValue("lease_ms", 5_000), 5_000);
  assert.equal(checkConfigValue("log_level", "debug"), "debug");
  assert.throws(() => checkConfigValue("lease_ms", "5s"), {
    message: 'lease_ms must be 1000 to 3600000 ms, got "5s"',
  });
  assert.throws(() => checkConfigValue("max_retries", 2.5), /got 2\.5$/);
  assert.throws(() => checkConfigValue("backoff_base", NaN), UsageError);
  assert.throws(() => checkConfigValue("log_level", null), /got null$/);
});

Deno.test("resolveConfig returns the defaults when nothing is stored", () => {
  assert.deepEqual(resolveConfig({}), { ...DEFAULT_CONFIG });
  const resolved = resolveConfig({});
  resolved.max_retries = 9;
  assert.equal(DEFAULT_CONFIG.max_retries, 3);
});

Deno.test("resolveConfig overlays valid stored values on the defaults", () => {
  const config = resolveConfig({
    max_retries: 5,
    "backoff-max": 60_000,
    log_level: "debug",
    output_limit: 1_024,
    job_timeout: "30s",
  });
  assert.equal(config.max_retries, 5);
  assert.equal(config.backoff_max, 60_000);
  assert.equal(config.log_level, "debug");
  assert.equal(config.output_limit, 1_024);
  assert.equal(config.job_timeout, 30_000);
  assert.equal(config.lease_ms, DEFAULT_CONFIG.lease_ms);
});

Deno.test("resolveConfig ignores invalid stored values", () => {
  const config = resolveConfig({
    max_retries: 500,
    backoff_base: "fast",
    backoff_max: null,
    log_level: "loud",
    output_limit: 10_000_000,
    poll_interval_ms: { ms: 5 },
    retention_dead: -1,
  });
  assert.deepEqual(config, { ...DEFAULT_CONFIG });
});

Deno.test("resolveConfig ignores unknown stored keys", () => {
  const config = resolveConfig({ colour: "blue", max_retries: 1 });
  assert.equal(config.max_retries, 1);
  assert.equal("colour" in config, false);
});

Deno.test("resolveConfig falls back to the default lease and heartbeat when they conflict", () => {
  const config = resolveConfig({ lease_ms: 2_000, heartbeat_ms: 1_500 });
  assert.equal(config.lease_ms, DEFAULT_CONFIG.lease_ms);
  assert.equal(config.heartbeat_ms, DEFAULT_CONFIG.heartbeat_ms);
  assert.doesNotThrow(() => validateConfig(config));
  const fine = resolveConfig({ lease_ms: 5_000, heartbeat_ms: 2_000 });
  assert.equal(fine.lease_ms, 5_000);
  assert.equal(fine.heartbeat_ms, 2_000);
});

Deno.test("validateConfig requires lease_ms to exceed twice heartbeat_ms", () => {
  assert.throws(() => validateConfig({ ...DEFAULT_CONFIG, lease_ms: 2_000 }), {
    name: "UsageError",
    message:
      "lease_ms must be more than twice heartbeat_ms, got lease_ms 2000 and heartbeat_ms 1000",
  });
  assert.doesNotThrow(() => validateConfig({ ...DEFAULT_CONFIG, lease_ms: 2_001 }));
});

Deno.test("validateConfig rejects an out-of-range key", () => {
  assert.throws(() => validateConfig({ ...DEFAULT_CONFIG, max_retries: -1 }), {
    message: "max_retries must be an integer from 0 to 100, got -1",
  });
});

Deno.test("parseConfigValue and checkConfigValue normalize keys from untyped callers", () => {
  const key = "max-retries" as keyof Config;
  assert.equal(parseConfigValue(key, "4"), 4);
  assert.throws(() => checkConfigValue(key, -1), {
    message: "max_retries must be an integer from 0 to 100, got -1",
  });
  assert.throws(() => parseConfigValue("nope" as keyof Config, "1"), /unknown config key "nope"/);
});

Deno.test('the hook keys take free text: empty or "" is none, and a template keeps its spaces', () => {
  for (const key of ["on_finish", "on_finish_url"] as const) {
    assert.equal(parseConfigValue(key, ""), "");
    assert.equal(parseConfigValue(key, '""'), "");
    assert.equal(formatConfigValue(key, ""), '""');
  }
  assert.equal(parseConfigValue("on_finish", " echo {id} "), " echo {id} ");
  assert.throws(() => parseConfigValue("on_finish", "echo {nope}"), UsageError);
  assert.throws(() => checkConfigValue("on_finish", "echo {nope}"), UsageError);
  assert.equal(resolveConfig({ on_finish: "echo {nope}" }).on_finish, "");
  assert.equal(parseConfigValue("on_finish_timeout", "2s"), 2_000);
});
