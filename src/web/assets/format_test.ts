import { deepStrictEqual as assertEquals, strictEqual } from "node:assert/strict";
import { logTicks, niceTicks, num } from "./format.js";

Deno.test("counts get thousands separators; small fractions keep one digit", () => {
  strictEqual(num(1234567), (1234567).toLocaleString());
  strictEqual(num(0), "0");
  strictEqual(num(2.54), (2.5).toLocaleString());
});

Deno.test("axis ticks step by 1, 2 or 5 times a power of ten and reach the maximum", () => {
  assertEquals(niceTicks(4870), [0, 2000, 4000, 6000]);
  assertEquals(niceTicks(10), [0, 5, 10]);
  assertEquals(niceTicks(7), [0, 2, 4, 6, 8]);
  assertEquals(niceTicks(1), [0, 1]);
  assertEquals(niceTicks(0), [0, 1]);
  assertEquals(niceTicks(120), [0, 50, 100, 150]);
});

Deno.test("log ticks are powers of ten up to the maximum, with 0 for empty minutes", () => {
  assertEquals(logTicks(5000), [0, 1, 10, 100, 1000, 10000]);
  assertEquals(logTicks(1), [0, 1, 10]);
  assertEquals(logTicks(0), [0, 1, 10]);
});
