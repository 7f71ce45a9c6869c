/**
 * The project's import graph as `deno info --json` reports it: every local module and the local
 * modules it imports. Type-only imports count too (`deno info` lists them as `type`
 * dependencies), and so do dynamic imports with a literal specifier, as std's circular-import
 * check counts them: a type cycle still ties two files together, and a lazy import still runs.
 *
 * @module
 */

/**
 * Repository-relative paths (`src/store/claim.ts`) to the local paths each one imports.
 *
 * @example
 * ```ts
 * const graph: ImportGraph = new Map([["main.ts", new Set(["src/cli/mod.ts"])]]);
 * ```
 */
export type ImportGraph = ReadonlyMap<string, ReadonlySet<string>>;

/** The part of `deno info --json`'s output that the graph is built from. */
export interface DenoInfo {
  /** Every module reached from the root. */
  modules: {
    /** The module's URL (`file:///…`, `npm:…`). */
    specifier: string;
    /** Its imports: `code` for a value import, `type` for a type-only one, or both. */
    dependencies?: { code?: { specifier?: string }; type?: { specifier?: string } }[];
    /** A `@ts-types` or `.d.ts` companion, if any. */
    typesDependency?: { dependency?: { specifier?: string } };
  }[];
}

/**
 * Turns `deno info --json` output into an {@linkcode ImportGraph} of the files under `rootUrl`
 * (a `file:` URL ending in `/`); npm, jsr, node and remote modules are left out (pure). Each
 * module is a key, even one that imports nothing.
 *
 * @example
 * ```ts
 * const info = { modules: [{ specifier: "file:///r/a.ts", dependencies: [
 *   { type: { specifier: "file:///r/b.ts" } },
 * ] }] };
 * graphFromInfo(info, "file:///r/"); // Map { "a.ts" => Set { "b.ts" } }
 * ```
 */
export function graphFromInfo(info: DenoInfo, rootUrl: string): Map<string, Set<string>> {
  const local = (url: string | undefined) =>
    url?.startsWith(rootUrl) ? decodeURIComponent(url.slice(rootUrl.length)) : null;
  const graph = new Map<string, Set<string>>();
  for (const m of info.modules) {
    const from = local(m.specifier);
    if (from === null) continue;
    const deps = graph.get(from) ?? new Set<string>();
    graph.set(from, deps);
    const urls = (m.dependencies ?? []).flatMap((d) => [d.code?.specifier, d.type?.specifier]);
    urls.push(m.typesDependency?.dependency?.specifier);
    for (const url of urls) {
      const to = local(url);
      if (to !== null) deps.add(to);
    }
  }
  return graph;
}

/**
 * Adds `more`'s modules and edges to `graph` (a second root's graph shares most of the first's).
 *
 * @example
 * ```ts
 * const graph = new Map([["a.ts", new Set(["b.ts"])]]);
 * mergeGraph(graph, new Map([["c.ts", new Set(["a.ts"])]])); // graph now has a.ts and c.ts
 * ```
 */
export function mergeGraph(graph: Map<string, Set<string>>, more: ImportGraph): void {
  for (const [from, deps] of more) {
    const into = graph.get(from) ?? new Set<string>();
    for (const d of deps) into.add(d);
    graph.set(from, into);
  }
}
