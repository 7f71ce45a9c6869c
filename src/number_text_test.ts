import assert from "node:assert/strict";
import { numberText, parseDecimal, parseInteger } from "./number_text.ts";

Deno.test("numberText returns plain text unchanged", () => {
  for (const good of ["5", "-3", "1.5", "30s", "1h30m", "256k"]) {
    assert.equal(numberText(good, "--x"), good);
  }
});

Deno.test("numberText refuses empty text and whitespace on either side, naming the value", () => {
  assert.throws(() => numberText("", "--limit"), {
    name: "UsageError",
    message: "--limit must not be empty",
  });
  for (const bad of [" 5", "5 ", " 5 ", "\t5", "5\n", "\u00a05", " "]) {
    assert.throws(() => numberText(bad, "--priority"), {
      name: "UsageError",
      message: `--priority must not have spaces around it, got ${JSON.stringify(bad)}`,
    });
  }
});

Deno.test("parseDecimal reads plain decimals and gives NaN for exponents, hex and words", () => {
  assert.deepEqual(
    ["5", "-3", "1.5", ".5", "5.", "007"].map((t) => parseDecimal(t, "--x")),
    [5, -3, 1.5, 0.5, 5, 7],
  );
  for (const other of ["1e3", "0x10", "+5", "five", "Infinity", "1.2.3", "-"]) {
    assert.ok(Number.isNaN(parseDecimal(other, "--x")), other);
  }
  assert.throws(() => parseDecimal(" 5", "--x"), { message: /must not have spaces around it/ });
});

Deno.test("parseInteger reads an integer in range, else one line naming the flag and text", () => {
  const limit = { name: "--limit", min: 1, max: 1000 };
  assert.equal(parseInteger("1", limit), 1);
  assert.equal(parseInteger("1000", limit), 1000);
  for (const bad of ["0", "1001", "1.5", "abc", "1e2"]) {
    assert.throws(() => parseInteger(bad, limit), {
      name: "UsageError",
      message: `--limit must be an integer from 1 to 1000, got ${JSON.stringify(bad)}`,
    });
  }
  assert.throws(() => parseInteger("", limit), { message: "--limit must not be empty" });
  assert.throws(() => parseInteger("5 ", limit), {
    message: '--limit must not have spaces around it, got "5 "',
  });
});
