import assert from "node:assert/strict";
import { levenshtein, showValue, suggest } from "./suggest.ts";

Deno.test("levenshtein counts insertions, deletions and substitutions", () => {
  assert.equal(levenshtein("", ""), 0);
  assert.equal(levenshtein("abc", ""), 3);
  assert.equal(levenshtein("", "abc"), 3);
  assert.equal(levenshtein("comand", "command"), 1);
  assert.equal(levenshtein("kitten", "sitting"), 3);
  assert.equal(levenshtein("same", "same"), 0);
});

Deno.test("suggest returns the closest candidate within a typo budget", () => {
  assert.equal(suggest("comand", ["id", "command", "priority"]), "command");
  assert.equal(suggest("PRIORITY", ["id", "priority"]), "priority");
  assert.equal(suggest("max_retrys", ["max_retries", "backoff_max"]), "max_retries");
});

Deno.test("suggest returns undefined when nothing is close", () => {
  assert.equal(suggest("xyz", ["id", "command"]), undefined);
  assert.equal(suggest("banana", ["command", "priority"]), undefined);
  assert.equal(suggest("abc", []), undefined);
});

Deno.test("suggest breaks ties in favour of the earlier candidate", () => {
  assert.equal(suggest("ab", ["aa", "bb"]), "aa");
});

Deno.test("showValue quotes strings on one line and renders other values plainly", () => {
  assert.equal(showValue("a\nb"), '"a\\nb"');
  assert.equal(showValue(5000), "5000");
  assert.equal(showValue(NaN), "NaN");
  assert.equal(showValue(null), "null");
  assert.equal(showValue(undefined), "undefined");
  assert.equal(showValue(true), "true");
  assert.equal(showValue(10n), "10n");
  assert.equal(showValue([1, 2]), "[1,2]");
  assert.equal(showValue({ a: 1 }), '{"a":1}');
});

Deno.test("showValue truncates long values with an ellipsis", () => {
  assert.equal(showValue("x".repeat(100), 10), `"${"x".repeat(10)}…"`);
  assert.equal(showValue(Array(50).fill(1), 5), "[1,1,…");
});

Deno.test("showValue survives values JSON cannot render", () => {
  const circular: Record<string, unknown> = {};
  circular.self = circular;
  assert.equal(showValue(circular), "[object Object]");
});
