import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { applySgr, nearest16, renderAnsi, Term } from "./ansi.js";

Deno.test("a carriage return rewrites the line: 50%\\r75%\\r100%\\n shows 100%", () => {
  assertEquals(renderAnsi("50%\r75%\r100%\n"), [[{ text: "100%", cls: "" }]]);
  // A shorter text overwrites only its own columns, as a terminal does.
  assertEquals(renderAnsi("loading...\rdone\n"), [[{ text: "doneing...", cls: "" }]]);
  assertEquals(renderAnsi("a\r\nb\r\n"), [[{ text: "a", cls: "" }], [{ text: "b", cls: "" }]]);
});

Deno.test("ESC[K erases to the end of the line, ESC[2K all of it, and \\b steps back", () => {
  assertEquals(renderAnsi("loading...\rdone\x1b[K\n"), [[{ text: "done", cls: "" }]]);
  assertEquals(renderAnsi("old\x1b[2K\rnew\n"), [[{ text: "new", cls: "" }]]);
  assertEquals(renderAnsi("ab\bc\n"), [[{ text: "ac", cls: "" }]]);
});

Deno.test("SGR colours and styles become a- classes and reset ends them", () => {
  assertEquals(renderAnsi("\x1b[31mred\x1b[0m plain \x1b[1;92;44mB\x1b[22;39;49mx"), [[
    { text: "red", cls: "a-fg1" },
    { text: " plain ", cls: "" },
    { text: "B", cls: "a-fg10 a-bg4 a-b" },
    { text: "x", cls: "" },
  ]]);
  assertEquals(renderAnsi("\x1b[2;3;4md\x1b[m"), [[{ text: "d", cls: "a-dim a-i a-u" }]]);
  assertEquals(renderAnsi("\x1b[38;5;3mo\x1b[38;5;200mp\x1b[38;2;1;2;3mq"), [[
    { text: "o", cls: "a-fg3" },
    { text: "pq", cls: "a-fg13" },
  ]]);
  assertEquals(
    applySgr(
      applySgr(
        applySgr({ fg: -1, bg: -1, bold: false, dim: false, italic: false, under: false }, [1, 33]),
        [0],
      ),
      [],
    ),
    { fg: -1, bg: -1, bold: false, dim: false, italic: false, under: false },
  );
});

Deno.test("other escape sequences and control characters are dropped; markup stays text", () => {
  assertEquals(renderAnsi("\x1b]0;title\x07a\x1b[2Jb\x1b[?25lc\x00\x07d\x1b(B\n"), [[
    { text: "abcd", cls: "" },
  ]]);
  assertEquals(renderAnsi("<img src=x onerror=alert(1)>"), [[
    { text: "<img src=x onerror=alert(1)>", cls: "" },
  ]]);
});

Deno.test("an escape sequence split across two writes is applied once the rest arrives", () => {
  const t = new Term();
  assertEquals(t.write("x\x1b[3"), []);
  assertEquals(t.write("2mgreen\n"), [[{ text: "x", cls: "" }, { text: "green", cls: "a-fg2" }]]);
  assertEquals(t.write("50%\r"), []);
  assertEquals(t.current(), [{ text: "50%", cls: "a-fg2" }]);
  t.write("75%");
  assertEquals(t.current(), [{ text: "75%", cls: "a-fg2" }]);
});

Deno.test("256-colour indexes map to the nearest of the 16 colours", () => {
  assertEquals([0, 9, 15].map(nearest16), [0, 9, 15]);
  // The cube: pure red, green, blue and a dark red, then white and a mid grey.
  assertEquals([196, 46, 21, 124, 231, 102].map(nearest16), [9, 10, 12, 1, 15, 8]);
  // The grey ramp, dark to light.
  assertEquals([232, 240, 250, 255].map(nearest16), [0, 8, 7, 15]);
});

Deno.test("a mark adds its class to the text written with it and leaves the style that follows", () => {
  const t = new Term();
  t.write("\x1b[33mwarn ", "term-err");
  assertEquals(t.write("ok\n"), [[
    { text: "warn ", cls: "a-fg3 term-err" },
    { text: "ok", cls: "a-fg3" },
  ]]);
  assertEquals(t.write("\x1b[0mx\n", "term-err"), [[{ text: "x", cls: "term-err" }]]);
});
