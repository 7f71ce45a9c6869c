import { deepStrictEqual as assertEquals, throws } from "node:assert/strict";
import { assertArgsUtf8, rawArgs } from "./raw_args.ts";

const utf8 = (s: string) => new TextEncoder().encode(s);
const bytes = (...b: number[]) => new Uint8Array(b);
const refused = (message: string | RegExp) => ({ name: "UsageError", message });

Deno.test("assertArgsUtf8 reads nothing when no argument has U+FFFD", () => {
  assertArgsUtf8(["enqueue", "--command", "echo héllo"], () => {
    throw new Error("the raw arguments must not be read");
  });
});

Deno.test("assertArgsUtf8 refuses an argument whose bytes were not UTF-8, naming the byte's offset", () => {
  const given = bytes(...utf8("echo "), 0xff, 0xfe);
  throws(
    () =>
      assertArgsUtf8(["enqueue", "--command", "echo \ufffd\ufffd"], () => [
        utf8("enqueue"),
        utf8("--command"),
        given,
      ]),
    refused("the value of --command is not valid UTF-8: byte 0xff at offset 5"),
  );
  const json = bytes(...utf8('{"command":"a'), 0xc3, 0x28, ...utf8('"}'));
  throws(
    () => assertArgsUtf8(["enqueue", '{"command":"a\ufffd("}'], () => [utf8("enqueue"), json]),
    refused("argument 2 is not valid UTF-8: byte 0xc3 at offset 13"),
  );
});

Deno.test("assertArgsUtf8 keeps a U+FFFD that was typed as such", () => {
  const args = ["enqueue", "--command", "echo \ufffd"];
  assertArgsUtf8(args, () => args.map(utf8));
});

Deno.test("assertArgsUtf8 refuses U+FFFD when the bytes given cannot be read or do not match", () => {
  const args = ["enqueue", "--command", "echo \ufffd"];
  const cannotTell = /^the value of --command has U\+FFFD, .* cannot be read here to tell/;
  throws(() => assertArgsUtf8(args, () => null), refused(cannotTell));
  throws(() => assertArgsUtf8(args, () => [utf8("x"), utf8("y"), utf8("z")]), refused(cannotTell));
  throws(() => assertArgsUtf8(args, () => args.slice(1).map(utf8)), refused(cannotTell));
});

Deno.test("rawArgs gives this process's last arguments as bytes on Linux", () => {
  const raw = rawArgs(Deno.args.length);
  if (raw === null) return; // no /proc here
  assertEquals(raw.map((b) => new TextDecoder().decode(b)), Deno.args);
});
