import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { findCycles } from "./import_cycles.ts";

const graphOf = (edges: Record<string, string[]>) =>
  new Map(Object.entries(edges).map(([from, to]) => [from, new Set(to)]));

Deno.test("findCycles finds nothing in a tree, even where two paths meet", () => {
  const graph = graphOf({ "a.ts": ["b.ts", "c.ts"], "b.ts": ["d.ts"], "c.ts": ["d.ts"] });
  assertEquals(findCycles(graph), []);
});

Deno.test("findCycles names each group of modules that import each other once, by its shortest cycle", () => {
  const graph = graphOf({
    "main.ts": ["x.ts"],
    "x.ts": ["y.ts"],
    "y.ts": ["z.ts", "x.ts"],
    "z.ts": ["x.ts"],
    "p.ts": ["q.ts"],
    "q.ts": ["p.ts"],
  });
  assertEquals(findCycles(graph), [
    ["p.ts", "q.ts", "p.ts"],
    ["x.ts", "y.ts", "x.ts"],
  ]);
});

Deno.test("findCycles reports a module that imports itself, and a long cycle in full", () => {
  const graph = graphOf({ "s.ts": ["s.ts"], "a.ts": ["b.ts"], "b.ts": ["c.ts"], "c.ts": ["a.ts"] });
  assertEquals(findCycles(graph), [["a.ts", "b.ts", "c.ts", "a.ts"], ["s.ts", "s.ts"]]);
});

Deno.test("findCycles leaves out the modules include refuses, and the cycles through them", () => {
  const graph = graphOf({
    "src/a.ts": ["tests/t.ts"],
    "tests/t.ts": ["src/a.ts"],
    "src/b.ts": ["src/c.ts"],
    "src/c.ts": ["src/b.ts"],
  });
  const include = (path: string) => path.startsWith("src/");
  assertEquals(findCycles(graph, { include }), [["src/b.ts", "src/c.ts", "src/b.ts"]]);
});
