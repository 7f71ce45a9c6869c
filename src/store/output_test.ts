import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { tempStore } from "../../tests/factory.ts";
import { readOutput, writeOutputChunk } from "./output.ts";

const bytes = (s: string) => new TextEncoder().encode(s);

Deno.test("output chunks read back per attempt and stream, in chunk order", async () => {
  await using store = await tempStore();
  await writeOutputChunk(store, { id: "a", n: 1, stream: "stdout", chunk: 1 }, bytes("world"));
  await writeOutputChunk(store, { id: "a", n: 1, stream: "stdout", chunk: 0 }, bytes("hello "));
  await writeOutputChunk(store, { id: "a", n: 1, stream: "stderr", chunk: 0 }, bytes("oops"));
  await writeOutputChunk(store, { id: "a", n: 2, stream: "stdout", chunk: 0 }, bytes("second"));
  assertEquals(await readOutput(store, "a", 1, { stream: "stdout" }), [
    { index: 0, data: bytes("hello ") },
    { index: 1, data: bytes("world") },
  ]);
  assertEquals(await readOutput(store, "a", 1, { stream: "stderr" }), [{
    index: 0,
    data: bytes("oops"),
  }]);
  assertEquals(await readOutput(store, "a", 2, { stream: "stdout" }), [{
    index: 0,
    data: bytes("second"),
  }]);
  assertEquals(await readOutput(store, "a", 3, { stream: "stdout" }), []);
});

Deno.test("readOutput from a chunk skips the earlier ones, and a rewritten chunk reads its latest bytes", async () => {
  await using store = await tempStore();
  for (const [chunk, text] of ["a", "b", "c"].entries()) {
    await writeOutputChunk(store, { id: "j", n: 1, stream: "stdout", chunk }, bytes(text));
  }
  await writeOutputChunk(store, { id: "j", n: 1, stream: "stdout", chunk: 2 }, bytes("cc"));
  assertEquals(await readOutput(store, "j", 1, { stream: "stdout", fromChunk: 1 }), [
    { index: 1, data: bytes("b") },
    { index: 2, data: bytes("cc") },
  ]);
});
