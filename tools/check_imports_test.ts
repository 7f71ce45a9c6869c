import { deepStrictEqual as assertEquals, strictEqual } from "node:assert/strict";
import { checkImports } from "./check_imports.ts";

/** A small project: a type-only cycle, an upward import, and one module main.ts never reaches. */
async function tempProject(): Promise<string> {
  const root = await Deno.makeTempDir({ prefix: "check_imports_" });
  const files: Record<string, string> = {
    "main.ts": 'import { a } from "./src/cli/mod.ts";\nconsole.log(a);\n',
    "src/cli/mod.ts": 'export { a } from "../a.ts";\n',
    "src/a.ts": 'import type { B } from "./b.ts";\nexport const a: B = 1;\n',
    "src/b.ts": 'import type { S } from "./store/s.ts";\nimport { a } from "./a.ts";\n' +
      "export type B = S;\nexport const b = a;\n",
    "src/store/s.ts": "export type S = number;\n",
    "src/store/s_test.ts": 'import "../cli/mod.ts";\n',
    "src/worker/unwired.ts": 'import "../cli/mod.ts";\n',
  };
  for (const [path, text] of Object.entries(files)) {
    await Deno.mkdir(`${root}/${path.split("/").slice(0, -1).join("/")}`, { recursive: true });
    await Deno.writeTextFile(`${root}/${path}`, text);
  }
  return root;
}

Deno.test("checkImports reports a type-only cycle, an upward import and one from a module main.ts does not reach", async () => {
  const root = await tempProject();
  try {
    const { findings } = await checkImports(root);
    assertEquals(findings, [
      "cycle: src/a.ts → src/b.ts → src/a.ts",
      "upward: src/b.ts (domain) imports src/store/s.ts (store)",
      "upward: src/worker/unwired.ts (worker) imports src/cli/mod.ts (cli)",
    ]);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("the check prints one line per finding and exits 1, and exits 0 on a clean tree", async () => {
  const root = await tempProject();
  const run = async () => {
    const out = await new Deno.Command("deno", {
      args: [
        "run",
        "--allow-run=deno",
        "--allow-read",
        new URL("./check_imports.ts", import.meta.url).pathname,
        root,
      ],
      stdout: "piped",
      stderr: "piped",
    }).output();
    return { code: out.code, lines: new TextDecoder().decode(out.stdout).trim().split("\n") };
  };
  try {
    const dirty = await run();
    strictEqual(dirty.code, 1);
    strictEqual(dirty.lines.length, 3);
    await Deno.writeTextFile(`${root}/src/b.ts`, "export type B = number;\n");
    await Deno.remove(`${root}/src/worker/unwired.ts`);
    const clean = await run();
    assertEquals([clean.code, clean.lines.length], [0, 1]);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
