import { deepStrictEqual, equal } from "node:assert/strict";
import { tempStore } from "../../tests/factory.ts";
import { readOutput } from "../store/output.ts";
import { CHUNK_BYTES, OutputSink } from "./output_sink.ts";
import type { Store } from "../store/open.ts";

const enc = new TextEncoder();

async function stored(store: Store, id: string): Promise<string> {
  const chunks = await readOutput(store, id, 1, { stream: "stdout" });
  return chunks.map((c) => new TextDecoder().decode(c.data)).join("");
}

Deno.test("output that fits the limit is kept whole, though only its first half is written live", async () => {
  await using store = await tempStore();
  const sink = new OutputSink(store, { id: "a", n: 1, limit: 100, flushMs: 5 });
  sink.push("stdout", enc.encode("x".repeat(80)));
  await new Promise((r) => setTimeout(r, 30));
  equal(await stored(store, "a"), "x".repeat(50), "the head, live");
  await sink.close();
  equal(await stored(store, "a"), "x".repeat(80));
  equal(sink.summary.truncated, false);
});

Deno.test("output past the limit keeps the first and last halves around a marker, across chunks", async () => {
  await using store = await tempStore();
  const limit = 3 * CHUNK_BYTES;
  const sink = new OutputSink(store, { id: "b", n: 1, limit });
  let all = "";
  for (let i = 0; i < 5000; i++) {
    const line = `line ${i} ${"-".repeat(i % 97)}\n`;
    all += line;
    sink.push("stdout", enc.encode(line));
  }
  await sink.close();
  const half = limit / 2;
  const cut = all.length - limit;
  const expected = all.slice(0, half) +
    (all[half - 1] === "\n" ? "" : "\n") +
    `[... ${cut.toLocaleString("en-US")} bytes cut by queuectl ...]\n` + all.slice(-half);
  equal(await stored(store, "b"), expected);
  deepStrictEqual(sink.summary, { stdout_bytes: all.length, stderr_bytes: 0, truncated: true });
});
