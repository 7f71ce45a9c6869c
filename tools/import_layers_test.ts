import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { layerOf, layerViolations } from "./import_layers.ts";

const graphOf = (edges: Record<string, string[]>) =>
  new Map(Object.entries(edges).map(([from, to]) => [from, new Set(to)]));

Deno.test("layerOf places main.ts, each src folder and the domain modules, and no test or tool", () => {
  assertEquals(
    [
      "main.ts",
      "src/cli/mod.ts",
      "src/worker/worker_loop.ts",
      "src/web/assets/mod.ts",
      "src/store/claim.ts",
      "src/job.ts",
    ].map(layerOf),
    ["main", "cli", "worker", "web", "store", "domain"],
  );
  for (
    const path of ["src/store/claim_test.ts", "tests/factory.ts", "bench/bench.ts", "tools/x.ts"]
  ) {
    assertEquals(layerOf(path), null, path);
  }
});

Deno.test("layerViolations allows imports down the layers and within one", () => {
  const graph = graphOf({
    "main.ts": ["src/cli/mod.ts"],
    "src/cli/mod.ts": ["src/cli/exit.ts", "src/worker/w.ts", "src/web/h.ts", "src/store/s.ts"],
    "src/worker/w.ts": ["src/store/s.ts", "src/job.ts"],
    "src/web/h.ts": ["src/store/s.ts"],
    "src/store/s.ts": ["src/store/keys.ts", "src/job.ts"],
    "src/job.ts": ["src/ids.ts"],
    "src/store/s_test.ts": ["tests/factory.ts", "src/cli/mod.ts"],
    "tests/factory.ts": ["src/cli/mod.ts", "main.ts"],
  });
  assertEquals(layerViolations(graph), []);
});

Deno.test("layerViolations reports each upward or sideways import, and a layered module importing a test file", () => {
  const graph = graphOf({
    "src/json_view.ts": ["src/store/workers.ts"],
    "src/store/s.ts": ["src/worker/w.ts"],
    "src/worker/w.ts": ["src/web/h.ts", "src/cli/mod.ts"],
    "src/web/h.ts": ["tests/helpers.ts"],
    "src/cli/mod.ts": ["main.ts"],
  });
  assertEquals(layerViolations(graph).map((v) => [v.from, v.fromLayer, v.to, v.toLayer]), [
    ["src/cli/mod.ts", "cli", "main.ts", "main"],
    ["src/json_view.ts", "domain", "src/store/workers.ts", "store"],
    ["src/store/s.ts", "store", "src/worker/w.ts", "worker"],
    ["src/web/h.ts", "web", "tests/helpers.ts", null],
    ["src/worker/w.ts", "worker", "src/cli/mod.ts", "cli"],
    ["src/worker/w.ts", "worker", "src/web/h.ts", "web"],
  ]);
});
