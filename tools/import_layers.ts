/**
 * The layers of docs/ARCHITECTURE.md as data, and the imports that break them (pure):
 *
 * ```text
 * main.ts → src/cli → {src/worker, src/web} → src/store → src/*.ts (the domain)
 * ```
 *
 * A module may import its own layer and the layers below it; `src/worker` and `src/web` sit
 * side by side and import neither each other nor the CLI. Tests (`*_test.ts`, `tests/`),
 * `bench/` and `tools/` are in no layer and may import anything, but no layered module may
 * import them.
 *
 * @module
 */
import type { ImportGraph } from "./module_graph.ts";

/**
 * A layer of the program, from the entry point down to the domain modules.
 *
 * @example
 * ```ts
 * const layer: Layer | null = layerOf("src/store/claim.ts"); // "store"
 * ```
 */
export type Layer = "main" | "cli" | "worker" | "web" | "store" | "domain";

/**
 * What each layer may import (besides npm, jsr and node modules, which are not checked).
 *
 * @example
 * ```ts
 * MAY_IMPORT.store.includes("worker"); // false
 * ```
 */
export const MAY_IMPORT: Readonly<Record<Layer, readonly Layer[]>> = {
  main: ["main", "cli", "worker", "web", "store", "domain"],
  cli: ["cli", "worker", "web", "store", "domain"],
  worker: ["worker", "store", "domain"],
  web: ["web", "store", "domain"],
  store: ["store", "domain"],
  domain: ["domain"],
};

/** The folders under `src/` that are layers; a file directly in `src/` is a domain module. */
const FOLDERS: Readonly<Record<string, Layer>> = {
  cli: "cli",
  worker: "worker",
  web: "web",
  store: "store",
};

/**
 * The layer of a repository-relative path, or null for a file in no layer: tests, `bench/`,
 * `tools/`, and a folder under `src/` that is not a layer.
 *
 * @example
 * ```ts
 * layerOf("src/store/claim.ts"); // "store"
 * layerOf("src/job.ts"); // "domain"
 * layerOf("src/store/claim_test.ts"); // null
 * ```
 */
export function layerOf(path: string): Layer | null {
  if (path === "main.ts") return "main";
  if (/_test\.[jt]sx?$/.test(path)) return null;
  const parts = path.split("/");
  if (parts[0] !== "src" || parts.length < 2) return null;
  if (parts.length === 2) return "domain";
  return FOLDERS[parts[1]!] ?? null;
}

/** An import that runs against the layers. */
export interface LayerViolation {
  /** The importing module. */
  from: string;
  /** The imported module. */
  to: string;
  /** The importer's layer. */
  fromLayer: Layer;
  /** The imported module's layer; null when it is in none (a test, bench/ or tools/ file). */
  toLayer: Layer | null;
}

/**
 * Every import in `graph` from a layered module to a module its layer may not import, sorted
 * by importer, then imported module.
 *
 * @example
 * ```ts
 * const graph = new Map([["src/json_view.ts", new Set(["src/store/workers.ts"])]]);
 * layerViolations(graph);
 * // [{ from: "src/json_view.ts", to: "src/store/workers.ts", fromLayer: "domain", toLayer: "store" }]
 * ```
 */
export function layerViolations(graph: ImportGraph): LayerViolation[] {
  const out: LayerViolation[] = [];
  for (const [from, deps] of graph) {
    const fromLayer = layerOf(from);
    if (fromLayer === null) continue;
    for (const to of deps) {
      const toLayer = layerOf(to);
      if (toLayer !== null && MAY_IMPORT[fromLayer].includes(toLayer)) continue;
      out.push({ from, to, fromLayer, toLayer });
    }
  }
  return out.sort((a, b) => a.from.localeCompare(b.from) || a.to.localeCompare(b.to));
}
