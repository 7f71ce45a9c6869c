import { deepStrictEqual, equal } from "node:assert/strict";
import { tempStore } from "../../tests/factory.ts";
import { keys } from "../store/keys.ts";
import { writeOutputChunk } from "../store/output.ts";
import { MAX_RUNS, mergeRuns, type OutputRuns, readMergedOutput } from "../store/output_runs.ts";
import type { Store } from "../store/open.ts";
import { cutMarker, OutputSink } from "./output_sink.ts";

const enc = new TextEncoder();
const dec = new TextDecoder();

async function merged(store: Store, id: string, ended = true): Promise<[string, string][]> {
  return (await readMergedOutput(store, id, 1, { ended })).map((
    s,
  ) => [s.stream, dec.decode(s.data)]);
}

async function runsOf(store: Store, id: string): Promise<OutputRuns | null> {
  return (await store.db.get<OutputRuns>(keys.outputRuns(id, 1))).value;
}

Deno.test("the sink records the order of the streams' bytes, a stream's consecutive pushes extending one run", async () => {
  await using store = await tempStore();
  const sink = new OutputSink(store, { id: "a", n: 1, limit: 1000 });
  sink.push("stdout", enc.encode("o1\n"));
  sink.push("stdout", enc.encode("o1b\n"));
  sink.push("stderr", enc.encode("e1\n"));
  sink.push("stdout", enc.encode("o2\n"));
  sink.push("stderr", enc.encode("e2\n"));
  await sink.close();
  deepStrictEqual(await runsOf(store, "a"), { runs: [7, -3, 3, -3], capped: false });
  deepStrictEqual(await merged(store, "a"), [
    ["stdout", "o1\no1b\n"],
    ["stderr", "e1\n"],
    ["stdout", "o2\n"],
    ["stderr", "e2\n"],
  ]);
});

Deno.test("a sink given no output writes nothing at all, runs included", async () => {
  await using store = await tempStore();
  const sink = new OutputSink(store, { id: "quiet", n: 1, limit: 1000, flushMs: 1 });
  await sink.close();
  deepStrictEqual(await store.db.list({ prefix: keys.outputs("quiet") }, { limit: 10 }), []);
  deepStrictEqual(await merged(store, "quiet"), []);
});

Deno.test("past MAX_RUNS the order stops being recorded, says so, and the rest reads stream by stream", async () => {
  await using store = await tempStore();
  const sink = new OutputSink(store, { id: "c", n: 1, limit: 4 * MAX_RUNS });
  const pairs = MAX_RUNS / 2 + 2;
  for (let i = 0; i < pairs; i++) {
    sink.push("stdout", enc.encode("o"));
    sink.push("stderr", enc.encode("e"));
  }
  await sink.close();
  const value = await runsOf(store, "c");
  equal(value?.capped, true);
  equal(value?.runs.length, MAX_RUNS);
  const text = (await merged(store, "c")).map(([, t]) => t).join("");
  equal(text, "oe".repeat(MAX_RUNS / 2) + "oo" + "ee");
});

Deno.test("a cut attempt merges its head in order, then stdout's marker and tail, then stderr's", async () => {
  await using store = await tempStore();
  const sink = new OutputSink(store, { id: "t", n: 1, limit: 8 });
  sink.push("stdout", enc.encode("AAAA"));
  sink.push("stderr", enc.encode("bbbb"));
  sink.push("stdout", enc.encode("CCCCDDDD\n"));
  sink.push("stderr", enc.encode("eeee"));
  await sink.close();
  // stdout's tail window kept "DDD\n" of the 9 bytes past its head; stderr's lost nothing.
  deepStrictEqual(await merged(store, "t"), [
    ["stdout", "AAAA"],
    ["stderr", "bbbb"],
    ["stdout", "\n" + cutMarker(5) + "DDD\n"],
    ["stderr", "eeee"],
  ]);
});

Deno.test("an attempt stored without runs reads as stdout then stderr once ended, and as nothing while it runs", async () => {
  await using store = await tempStore();
  await writeOutputChunk(store, { id: "old", n: 1, stream: "stderr", chunk: 0 }, enc.encode("e"));
  await writeOutputChunk(store, { id: "old", n: 1, stream: "stdout", chunk: 0 }, enc.encode("o"));
  deepStrictEqual(await merged(store, "old"), [["stdout", "o"], ["stderr", "e"]]);
  deepStrictEqual(await merged(store, "old", false), []);
});

Deno.test("while an attempt runs the merged read stops where the chunks fall behind the runs, so later reads only add", () => {
  const bytes = { stdout: enc.encode("o1\no2"), stderr: enc.encode("e1\n") };
  const runs = { runs: [3, -3, 3, -3], capped: false };
  const text = (ended: boolean) =>
    mergeRuns(runs, bytes, ended).map((s) => `${s.stream}:${dec.decode(s.data)}`);
  deepStrictEqual(text(false), ["stdout:o1\n", "stderr:e1\n", "stdout:o2"]);
  deepStrictEqual(text(true), ["stdout:o1\n", "stderr:e1\n", "stdout:o2"]);
  const capped = { runs: [3], capped: true };
  deepStrictEqual(mergeRuns(capped, bytes, false).map((s) => s.stream), ["stdout"]);
  deepStrictEqual(mergeRuns(capped, bytes, true).map((s) => s.stream), ["stdout", "stderr"]);
});
