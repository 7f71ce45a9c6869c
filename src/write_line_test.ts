import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { writeLine } from "./write_line.ts";

/** A sink that takes at most `room` bytes in all, and records every write call. */
function sink(room: number) {
  const calls: string[] = [];
  let left = room;
  return {
    calls,
    writeSync(data: Uint8Array): number {
      if (left === 0) throw new Error("No space left on device (os error 28)");
      const n = Math.min(left, data.byteLength);
      left -= n;
      calls.push(new TextDecoder().decode(data.subarray(0, n)));
      return n;
    },
    free(bytes: number) {
      left += bytes;
    },
  };
}

Deno.test("a line goes out in one write call", () => {
  const s = sink(1000);
  writeLine("2026-01-01T00:00:00.000Z info worker.started pid=1", s, { isFile: true });
  assertEquals(s.calls, ["2026-01-01T00:00:00.000Z info worker.started pid=1\n"]);
});

Deno.test("a file that took part of a line gets the part taken back, and the rest is never written after other lines", () => {
  const s = sink(10);
  const taken: string[] = [];
  const takeBack = (part: Uint8Array) => (taken.push(new TextDecoder().decode(part)), true);
  writeLine("warn worker.crashed supervisor=1", s, { isFile: true, takeBack });
  assertEquals([s.calls, taken], [["warn worke"], ["warn worke"]]);
  s.free(100);
  writeLine("info next", s, { isFile: true, takeBack });
  assertEquals(s.calls.at(-1), "info next\n");
});

Deno.test("a part that cannot be taken back is ended by the next line's leading newline", () => {
  const s = sink(10);
  writeLine("warn worker.crashed supervisor=1", s, { isFile: true, takeBack: () => false });
  s.free(100);
  writeLine("info next", s, { isFile: true, takeBack: () => false });
  writeLine("info after", s, { isFile: true, takeBack: () => false });
  assertEquals(s.calls, ["warn worke", "\ninfo next\n", "info after\n"]);
});

Deno.test("a pipe that took part of a long line gets the rest: it splits lines, it does not fill up", () => {
  let first = true;
  const calls: string[] = [];
  const pipe = {
    writeSync(data: Uint8Array): number {
      const n = first ? 4 : data.byteLength;
      first = false;
      calls.push(new TextDecoder().decode(data.subarray(0, n)));
      return n;
    },
  };
  writeLine("info long line", pipe, { isFile: false });
  assertEquals(calls, ["info", " long line\n"]);
});
