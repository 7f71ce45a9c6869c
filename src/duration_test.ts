import assert from "node:assert/strict";
import { formatDuration, parseDuration } from "./duration.ts";
import { UsageError } from "./errors.ts";

Deno.test("parseDuration reads 500ms, 30s, 5m, 2h, 1d and bare seconds", () => {
  assert.equal(parseDuration("500ms"), 500);
  assert.equal(parseDuration("30s"), 30_000);
  assert.equal(parseDuration("5m"), 300_000);
  assert.equal(parseDuration("2h"), 7_200_000);
  assert.equal(parseDuration("1d"), 86_400_000);
  assert.equal(parseDuration("30"), 30_000);
  assert.equal(parseDuration("0"), 0);
});

Deno.test("parseDuration reads decimals and rounds to whole ms", () => {
  assert.equal(parseDuration("1.5s"), 1_500);
  assert.equal(parseDuration(".5s"), 500);
  assert.equal(parseDuration("0.25m"), 15_000);
  assert.equal(parseDuration("1.5"), 1_500);
  assert.equal(parseDuration("0.0004s"), 0);
  assert.equal(parseDuration("1.6ms"), 2);
});

Deno.test("parseDuration reads compound forms like 1h30m", () => {
  assert.equal(parseDuration("1h30m"), 5_400_000);
  assert.equal(parseDuration("1m30.5s"), 90_500);
  assert.equal(parseDuration("2d12h"), 2.5 * 86_400_000);
  assert.equal(parseDuration("1s500ms"), 1_500);
});

Deno.test("parseDuration refuses whitespace around the text, naming it, and ignores unit case", () => {
  for (const bad of ["  30s ", " 30s", "30s ", "30\t", "\n5"]) {
    assert.throws(() => parseDuration(bad), {
      name: "UsageError",
      message: `a duration must not have spaces around it, got ${JSON.stringify(bad)}`,
    });
  }
  assert.throws(() => parseDuration(" 1s", { name: "--interval" }), {
    message: '--interval must not have spaces around it, got " 1s"',
  });
  assert.throws(() => parseDuration("", { name: "--interval" }), {
    message: "--interval must not be empty",
  });
  assert.equal(parseDuration("2H"), 7_200_000);
  assert.equal(parseDuration("500MS"), 500);
});

Deno.test("parseDuration treats bare numbers as ms with bareUnit ms", () => {
  assert.equal(parseDuration("250", { bareUnit: "ms" }), 250);
  assert.equal(parseDuration(250, { bareUnit: "ms" }), 250);
  assert.equal(parseDuration("2s", { bareUnit: "ms" }), 2_000);
  assert.equal(parseDuration("2", { bareUnit: "s" }), 2_000);
});

Deno.test("parseDuration reads numbers as bare seconds", () => {
  assert.equal(parseDuration(30), 30_000);
  assert.equal(parseDuration(1.5), 1_500);
  assert.equal(parseDuration(0), 0);
});

Deno.test("parseDuration rejects negative, empty, NaN, Infinity and unknown units", () => {
  for (
    const bad of ["-5s", "", "   ", "abc", "5x", "5 s", "s", "1.2.3s", "Infinity", "NaN", "5s-"]
  ) {
    assert.throws(() => parseDuration(bad), UsageError, `expected ${JSON.stringify(bad)} to fail`);
  }
  for (const bad of [-1, NaN, Infinity, -Infinity]) {
    assert.throws(() => parseDuration(bad), UsageError, `expected ${bad} to fail`);
  }
});

Deno.test("parseDuration names the offending text in its error", () => {
  assert.throws(() => parseDuration("5x"), {
    name: "UsageError",
    message: /^invalid duration "5x": /,
  });
  assert.throws(() => parseDuration(-1), { message: /^invalid duration -1: / });
});

Deno.test("parseDuration rejects durations beyond safe integer ms", () => {
  assert.throws(() => parseDuration("99999999999999999999d"), /duration is too large/);
  assert.throws(() => parseDuration(1e300), /duration is too large/);
});

Deno.test("parseDuration rejects non-string, non-number input", () => {
  assert.throws(() => parseDuration(null as unknown as string), UsageError);
});

Deno.test("formatDuration prints 0ms, 500ms, 1.5s, 30s, 5m, 1h30m and 2d", () => {
  assert.equal(formatDuration(0), "0ms");
  assert.equal(formatDuration(500), "500ms");
  assert.equal(formatDuration(1_500), "1.5s");
  assert.equal(formatDuration(30_000), "30s");
  assert.equal(formatDuration(300_000), "5m");
  assert.equal(formatDuration(5_400_000), "1h30m");
  assert.equal(formatDuration(2 * 86_400_000), "2d");
});

Deno.test("formatDuration keeps leftover ms as decimal seconds and skips zero parts", () => {
  assert.equal(formatDuration(90_500), "1m30.5s");
  assert.equal(formatDuration(3_600_500), "1h0.5s");
  assert.equal(formatDuration(86_400_000 + 60_000), "1d1m");
  assert.equal(formatDuration(999.6), "1s");
  assert.equal(formatDuration(1_234), "1.234s");
});

Deno.test("formatDuration prefixes negative durations with a minus", () => {
  assert.equal(formatDuration(-1_500), "-1.5s");
});

Deno.test("formatDuration rejects non-finite values", () => {
  assert.throws(() => formatDuration(NaN), UsageError);
  assert.throws(() => formatDuration(Infinity), UsageError);
});

Deno.test("formatDuration output reads back through parseDuration", () => {
  for (const ms of [0, 1, 999, 1_000, 1_500, 59_999, 90_500, 5_400_000, 93_784_005]) {
    assert.equal(parseDuration(formatDuration(ms)), ms);
  }
});
