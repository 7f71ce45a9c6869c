/**
 * `deno task check`'s import check: fails on an import cycle among the files under `src/`
 * (type-only imports included) and on an import that runs up the layers of
 * docs/ARCHITECTURE.md. Each finding is one line; the exit code is 1 if there is any.
 *
 * ```sh
 * deno run --allow-run=deno --allow-read tools/check_imports.ts [root]
 * ```
 *
 * The graph comes from `deno info --json main.ts`, plus a `deno info` of each module under
 * `src/` that main.ts does not reach (none today), so a module is checked whether or not it is
 * wired in yet. The decisions are pure: `import_cycles.ts` and `import_layers.ts`.
 *
 * @module
 */
import { findCycles } from "./import_cycles.ts";
import { layerViolations } from "./import_layers.ts";
import { type DenoInfo, graphFromInfo, mergeGraph } from "./module_graph.ts";

/** What {@linkcode checkImports} found. */
export interface ImportReport {
  /** One line per finding: `cycle: a → b → a` or `upward: a (layer) imports b (layer)`. */
  findings: string[];
  /** How many local modules the graph holds. */
  modules: number;
}

/**
 * Reads the import graph of the project at `root` (a folder path) and returns its findings.
 *
 * @example
 * ```ts
 * const { findings } = await checkImports(".");
 * for (const line of findings) console.log(line);
 * ```
 */
export async function checkImports(root: string): Promise<ImportReport> {
  const rootUrl = new URL(`file://${await Deno.realPath(root)}/`).href;
  const graph = graphFromInfo(await denoInfo(root, "main.ts"), rootUrl);
  const missed = (await sourceFiles(root, "src")).filter((path) => !graph.has(path));
  for (const info of await Promise.all(missed.map((path) => denoInfo(root, path)))) {
    mergeGraph(graph, graphFromInfo(info, rootUrl));
  }
  const findings = [
    ...findCycles(graph, { include: (path) => path.startsWith("src/") }).map((cycle) =>
      `cycle: ${cycle.join(" → ")}`
    ),
    ...layerViolations(graph).map((v) =>
      `upward: ${v.from} (${v.fromLayer}) imports ${v.to} (${v.toLayer ?? "no layer"})`
    ),
  ];
  return { findings, modules: graph.size };
}

/** `deno info --json` of one module of the project at `root`. */
async function denoInfo(root: string, path: string): Promise<DenoInfo> {
  const out = await new Deno.Command("deno", {
    args: ["info", "--json", path],
    cwd: root,
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (!out.success) {
    const why = new TextDecoder().decode(out.stderr).trim();
    throw new Error(`Cannot read the import graph of "${path}": deno info failed: ${why}`);
  }
  return JSON.parse(new TextDecoder().decode(out.stdout)) as DenoInfo;
}

/** The module files under `dir` (relative to `root`), tests left out, as repository paths. */
async function sourceFiles(root: string, dir: string): Promise<string[]> {
  const out: string[] = [];
  let entries: Deno.DirEntry[];
  try {
    entries = await Array.fromAsync(Deno.readDir(`${root}/${dir}`));
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return out;
    throw e;
  }
  for (const e of entries) {
    const path = `${dir}/${e.name}`;
    if (e.isDirectory) out.push(...await sourceFiles(root, path));
    else if (/\.[jt]sx?$/.test(e.name) && !/_test\.[jt]sx?$/.test(e.name)) out.push(path);
  }
  return out;
}

if (import.meta.main) {
  const root = Deno.args[0] ?? new URL("..", import.meta.url).pathname;
  const { findings, modules } = await checkImports(root);
  for (const line of findings) console.log(line);
  if (findings.length > 0) Deno.exit(1);
  console.log(`imports: ${modules} modules, no cycle, none runs up the layers`);
}
