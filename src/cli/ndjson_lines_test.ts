import { deepStrictEqual as assertEquals, rejects } from "node:assert/strict";
import { UsageError } from "../errors.ts";
import { type LineGroup, readLines, type ReadLinesOptions } from "./ndjson_lines.ts";

const utf8 = (s: string) => new TextEncoder().encode(s);

/** Every line with its number, read from `chunks`; the error, if any, last. */
async function collect(
  chunks: (string | Uint8Array)[],
  options: ReadLinesOptions = { maxLineBytes: 16 },
): Promise<(string | Error)[]> {
  const out: (string | Error)[] = [];
  async function* source() {
    for (const c of chunks) yield typeof c === "string" ? utf8(c) : c;
  }
  try {
    for await (const group of readLines(source(), options)) out.push(...numbered(group));
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    out.push(error);
  }
  return out;
}

const numbered = ({ first, lines }: LineGroup) => lines.map((l, i) => `${first + i}:${l}`);
const message = (e: string | Error | undefined) => e instanceof Error ? e.message : e;

Deno.test("readLines gives every line with its number, across chunk boundaries", async () => {
  assertEquals(await collect(["a\nb", "c\n\nd"]), ["1:a", "2:bc", "3:", "4:d"]);
  assertEquals(await collect(["a\n", "b\n"]), ["1:a", "2:b"]);
  assertEquals(await collect(["\n"]), ["1:"]);
  assertEquals(await collect([]), []);
  assertEquals(await collect(["x", "y", "z"]), ["1:xyz"]);
});

Deno.test("readLines keeps a multi-byte character split between chunks and drops a leading BOM", async () => {
  const euro = utf8("€"); // e2 82 ac
  assertEquals(
    await collect([
      new Uint8Array([0xef, 0xbb]),
      new Uint8Array([0xbf, 0x61, euro[0]!]),
      euro.subarray(1),
    ]),
    ["1:a€"],
  );
  assertEquals(await collect(["a\n\ufeffb"]), ["1:a", "2:\ufeffb"], "only the first BOM goes");
});

Deno.test("readLines refuses a line past the limit as soon as it passes, after the lines before it", async () => {
  const options = { maxLineBytes: 4 };
  assertEquals(await collect(["abcd\nefgh\n"], options), ["1:abcd", "2:efgh"]);
  const long = await collect(["ab\nabcde\nzz\n"], options);
  assertEquals(long.slice(0, 1), ["1:ab"]);
  assertEquals(message(long[1]), "line 2 is longer than 4 bytes, the most a job spec may take");
  let pulled = 0;
  async function* endless() {
    for (;;) {
      pulled++;
      yield new Uint8Array(3); // zeros, and never a newline
    }
  }
  await rejects(async () => {
    for await (const _ of readLines(endless(), options)) { /* nothing */ }
  }, { message: "line 1 is longer than 4 bytes, the most a job spec may take" });
  assertEquals(pulled, 2, "no chunk is read after the one that passed the limit");
});

Deno.test("readLines names the line and input offset of the first byte that is not UTF-8", async () => {
  const bad = new Uint8Array([...utf8('{"a":1}\necho '), 0xff, 0xfe, 0x0a]);
  const out = await collect([bad], { maxLineBytes: 100 });
  assertEquals(out.slice(0, 1), ['1:{"a":1}']);
  assertEquals(message(out[1]), "line 2: not valid UTF-8: byte 0xff at offset 13 of the input");
  const split = await collect(["ok\n", "fine\n", new Uint8Array([0x61, 0xc3])], {
    maxLineBytes: 9,
  });
  assertEquals(split.slice(0, 2), ["1:ok", "2:fine"]);
  assertEquals(message(split[2]), "line 3: not valid UTF-8: byte 0xc3 at offset 9 of the input");
});

Deno.test("readLines refuses more input than maxBytes", async () => {
  const out = await collect(["a\nb\n", "c\nd\n"], { maxLineBytes: 9, maxBytes: 6 });
  assertEquals(out.slice(0, 2), ["1:a", "2:b"]);
  assertEquals(
    message(out.at(-1)),
    "line 5: the input is longer than 6 bytes, the limit of one run; split it",
  );
});
