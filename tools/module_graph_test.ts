import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { graphFromInfo, mergeGraph } from "./module_graph.ts";

Deno.test("graphFromInfo keeps local modules and their code, type-only and types imports, and drops the rest", () => {
  const info = {
    modules: [
      {
        specifier: "file:///r/main.ts",
        dependencies: [
          { code: { specifier: "file:///r/src/a.ts" } },
          { code: { specifier: "npm:/x@1.0.0" } },
        ],
      },
      {
        specifier: "file:///r/src/a.ts",
        dependencies: [
          { type: { specifier: "file:///r/src/b.ts" } },
          {
            code: { specifier: "file:///r/src/c.js" },
            type: { specifier: "file:///r/src/c.d.ts" },
          },
        ],
      },
      { specifier: "file:///r/src/b.ts" },
      {
        specifier: "file:///r/src/c.js",
        typesDependency: { dependency: { specifier: "file:///r/src/c.d.ts" } },
      },
      { specifier: "npm:/x@1.0.0", dependencies: [{ code: { specifier: "file:///r/src/b.ts" } }] },
      { specifier: "file:///elsewhere/d.ts" },
    ],
  };
  assertEquals(
    graphFromInfo(info, "file:///r/"),
    new Map([
      ["main.ts", new Set(["src/a.ts"])],
      ["src/a.ts", new Set(["src/b.ts", "src/c.js", "src/c.d.ts"])],
      ["src/b.ts", new Set()],
      ["src/c.js", new Set(["src/c.d.ts"])],
    ]),
  );
});

Deno.test("mergeGraph adds the modules and edges of a second root's graph", () => {
  const graph = new Map([["a.ts", new Set(["b.ts"])], ["b.ts", new Set<string>()]]);
  mergeGraph(graph, new Map([["c.ts", new Set(["a.ts"])], ["b.ts", new Set(["d.ts"])]]));
  assertEquals(
    graph,
    new Map([["a.ts", new Set(["b.ts"])], ["b.ts", new Set(["d.ts"])], [
      "c.ts",
      new Set(["a.ts"]),
    ]]),
  );
});
