import assert from "node:assert/strict";
import { UsageError } from "./errors.ts";
import { MAX_LABELS, parseLabel, parseLabels, readLabels } from "./labels.ts";

Deno.test("parseLabel splits at the first = and keeps the rest of the value", () => {
  assert.equal(parseLabel("batch=7").join("|"), "batch|7");
  assert.equal(parseLabel("note=a=b c").join("|"), "note|a=b c");
  assert.equal(parseLabel("lang=日本語").join("|"), "lang|日本語");
});

Deno.test("a label with no = or no value or a bad key is refused in one line", () => {
  for (const bad of ["batch", "batch=", "=7", "b a=1", "k=a\nb", "k".repeat(65) + "=1"]) {
    assert.throws(() => parseLabel(bad), UsageError);
  }
  assert.throws(() => parseLabel("k=" + "x".repeat(129)), UsageError);
  parseLabel("k=" + "x".repeat(128));
});

Deno.test("parseLabels refuses a repeated key and more than MAX_LABELS", () => {
  assert.equal(parseLabels([]), undefined);
  assert.throws(() => parseLabels(["a=1", "a=2"]), /given twice/);
  const many = Array.from({ length: MAX_LABELS + 1 }, (_, i) => `k${i}=v`);
  assert.throws(() => parseLabels(many), /at most 16 labels/);
  assert.equal(Object.keys(parseLabels(many.slice(1))!).length, MAX_LABELS);
});

Deno.test("readLabels takes an object of strings only", () => {
  assert.deepEqual(readLabels({ a: "1" }), { a: "1" });
  assert.throws(() => readLabels(["a=1"]), UsageError);
  assert.throws(() => readLabels({ a: 1 }), UsageError);
  assert.equal(readLabels({}), undefined);
});
