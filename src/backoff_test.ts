import assert from "node:assert/strict";
import { nextRunAt, retryDelayMs } from "./backoff.ts";
import { UsageError } from "./errors.ts";

const DEFAULTS = { backoffBase: 2, backoffMaxMs: 3_600_000 };

Deno.test("retryDelayMs waits backoff_base ^ k seconds after the k-th failure", () => {
  assert.equal(retryDelayMs(1, DEFAULTS), 2_000);
  assert.equal(retryDelayMs(2, DEFAULTS), 4_000);
  assert.equal(retryDelayMs(3, DEFAULTS), 8_000);
  assert.equal(retryDelayMs(2, { backoffBase: 3, backoffMaxMs: 3_600_000 }), 9_000);
});

Deno.test("retryDelayMs rounds fractional bases to whole ms", () => {
  assert.equal(retryDelayMs(3, { backoffBase: 1.5, backoffMaxMs: 3_600_000 }), 3_375);
  assert.equal(retryDelayMs(1, { backoffBase: 1.0005, backoffMaxMs: 3_600_000 }), 1_001);
});

Deno.test("retryDelayMs waits one second every time with base 1", () => {
  assert.equal(retryDelayMs(1, { backoffBase: 1, backoffMaxMs: 3_600_000 }), 1_000);
  assert.equal(retryDelayMs(1_000_000, { backoffBase: 1, backoffMaxMs: 3_600_000 }), 1_000);
  assert.equal(retryDelayMs(5, { backoffBase: 1, backoffMaxMs: 500 }), 500);
});

Deno.test("retryDelayMs caps at backoff_max", () => {
  assert.equal(retryDelayMs(12, DEFAULTS), 3_600_000); // 4096 s > 1 h
  assert.equal(retryDelayMs(11, DEFAULTS), 2_048_000);
  assert.equal(retryDelayMs(4, { backoffBase: 2, backoffMaxMs: 10_000 }), 10_000);
  assert.equal(retryDelayMs(1, { backoffBase: 60, backoffMaxMs: 1_000 }), 1_000);
});

Deno.test("retryDelayMs returns the cap for huge k instead of overflowing", () => {
  for (const k of [1_024, 1_000_000, Number.MAX_SAFE_INTEGER]) {
    assert.equal(retryDelayMs(k, DEFAULTS), 3_600_000);
    assert.equal(
      retryDelayMs(k, { backoffBase: 60, backoffMaxMs: 30 * 86_400_000 }),
      2_592_000_000,
    );
  }
});

Deno.test("retryDelayMs rejects k below 1 or not an integer", () => {
  for (const k of [0, -1, 1.5, NaN, Infinity]) {
    assert.throws(() => retryDelayMs(k, DEFAULTS), UsageError, `expected ${k} to fail`);
  }
  assert.throws(() => retryDelayMs(0, DEFAULTS), {
    message: "failed attempts must be an integer of at least 1, got 0",
  });
});

Deno.test("retryDelayMs rejects a base below 1 or a negative cap", () => {
  assert.throws(() => retryDelayMs(1, { backoffBase: 0.5, backoffMaxMs: 1_000 }), /got 0.5$/);
  assert.throws(() => retryDelayMs(1, { backoffBase: NaN, backoffMaxMs: 1_000 }), UsageError);
  assert.throws(() => retryDelayMs(1, { backoffBase: 2, backoffMaxMs: -1 }), /got -1$/);
  assert.throws(() => retryDelayMs(1, { backoffBase: 2, backoffMaxMs: NaN }), UsageError);
});

Deno.test("nextRunAt adds the retry delay to now", () => {
  assert.equal(nextRunAt(1_000_000, 1, DEFAULTS), 1_002_000);
  assert.equal(nextRunAt(1_000_000, 3, DEFAULTS), 1_008_000);
  assert.equal(nextRunAt(1_000_000, 99, DEFAULTS), 4_600_000);
});

Deno.test("nextRunAt rejects a non-finite now", () => {
  assert.throws(() => nextRunAt(NaN, 1, DEFAULTS), UsageError);
});
