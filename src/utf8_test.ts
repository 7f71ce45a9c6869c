import assert from "node:assert/strict";
import { decodeUtf8, describeInvalid, invalidUtf8Offset } from "./utf8.ts";

const bytes = (...b: number[]) => new Uint8Array(b);
const utf8 = (s: string) => new TextEncoder().encode(s);

Deno.test("invalidUtf8Offset is -1 for UTF-8 of every width", () => {
  for (const s of ["", "echo hi", "héllo", "日本", "🎉 done", "\u{10ffff}", "\ufffd"]) {
    assert.equal(invalidUtf8Offset(utf8(s)), -1, s);
  }
});

Deno.test("invalidUtf8Offset gives the start of the first ill-formed sequence", () => {
  const cases: [Uint8Array, number][] = [
    [bytes(0x65, 0x63, 0x68, 0x6f, 0x20, 0xff, 0xfe), 5], // echo \xff\xfe
    [bytes(0x80), 0], // a lone continuation byte
    [bytes(0x61, 0xc3), 1], // truncated at the end
    [bytes(0xc3, 0x28), 0], // a lead byte without its continuation
    [bytes(0xc0, 0xaf), 0], // overlong "/"
    [bytes(0xe0, 0x80, 0xaf), 0], // overlong, three bytes
    [bytes(0xed, 0xa0, 0x80), 0], // a UTF-16 surrogate, U+D800
    [bytes(0xf4, 0x90, 0x80, 0x80), 0], // above U+10FFFF
    [bytes(0xf5, 0x80, 0x80, 0x80), 0],
    [bytes(0x61, 0xe2, 0x82, 0xac, 0x62, 0xe2, 0x82), 5], // "a€b" then a cut "€"
  ];
  for (const [input, offset] of cases) assert.equal(invalidUtf8Offset(input), offset, `${input}`);
});

Deno.test("decodeUtf8 decodes UTF-8 and drops a leading byte order mark", () => {
  assert.equal(decodeUtf8(utf8("héllo"), "x"), "héllo");
  assert.equal(decodeUtf8(bytes(0xef, 0xbb, 0xbf, 0x61), "x"), "a");
});

Deno.test("decodeUtf8 refuses invalid UTF-8 with one line naming the byte and its offset", () => {
  assert.throws(() => decodeUtf8(bytes(0x65, 0x63, 0x68, 0x6f, 0x20, 0xff, 0xfe), "the body"), {
    name: "UsageError",
    message: "the body is not valid UTF-8: byte 0xff at offset 5",
  });
  assert.equal(describeInvalid(bytes(0x0a, 0x05), 1), "byte 0x05 at offset 1");
});
