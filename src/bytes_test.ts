import { deepStrictEqual, strictEqual } from "node:assert/strict";
import { concatBytes } from "./bytes.ts";

Deno.test("concatBytes joins parts in order, returns a lone part as is, and an empty list as no bytes", () => {
  deepStrictEqual(
    concatBytes([new Uint8Array([1]), new Uint8Array([]), new Uint8Array([2, 3])]),
    new Uint8Array([1, 2, 3]),
  );
  const one = new Uint8Array([7]);
  strictEqual(concatBytes([one]), one);
  strictEqual(concatBytes([]).byteLength, 0);
});
