/**
 * Finding import cycles in an {@linkcode ImportGraph} (pure). Each strongly connected group of
 * modules is one finding, shown as one shortest cycle through its first module in sort order:
 * breaking that cycle is where a fix starts, and a group reported once per cycle would bury the
 * first line under its permutations.
 *
 * @module
 */
import type { ImportGraph } from "./module_graph.ts";

/** Options of {@linkcode findCycles}. */
export interface CycleOptions {
  /** Which modules take part; default: all. Edges to a module left out are ignored. */
  include?: (path: string) => boolean;
}

/**
 * One cycle per group of modules that import each other, directly or through others, each as
 * the paths along it with the first repeated at the end; a module that imports itself is a
 * group of one. Sorted, so the output is stable.
 *
 * @example
 * ```ts
 * const graph = new Map([["a.ts", new Set(["b.ts"])], ["b.ts", new Set(["a.ts"])]]);
 * findCycles(graph); // [["a.ts", "b.ts", "a.ts"]]
 * ```
 */
export function findCycles(graph: ImportGraph, options: CycleOptions = {}): string[][] {
  const include = options.include ?? (() => true);
  const next = (path: string) => [...(graph.get(path) ?? [])].filter(include).sort();
  const nodes = [...graph.keys()].filter(include).sort();
  const cycles: string[][] = [];
  for (const group of stronglyConnected(nodes, next)) {
    const start = group.sort()[0]!;
    if (group.length === 1 && !next(start).includes(start)) continue;
    cycles.push(shortestCycle(start, { next, within: new Set(group) }));
  }
  return cycles.sort((a, b) => a[0]!.localeCompare(b[0]!));
}

/** Tarjan's algorithm: the graph's strongly connected components. */
function stronglyConnected(nodes: string[], next: (path: string) => string[]): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const groups: string[][] = [];
  // Recursion depth is bounded by the longest import chain, a few dozen modules here.
  const visit = (v: string) => {
    index.set(v, index.size);
    low.set(v, index.get(v)!);
    stack.push(v);
    onStack.add(v);
    for (const w of next(v)) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v)!, index.get(w)!));
      }
    }
    if (low.get(v) !== index.get(v)) return;
    const group: string[] = [];
    for (let w = stack.pop()!;; w = stack.pop()!) {
      onStack.delete(w);
      group.push(w);
      if (w === v) break;
    }
    groups.push(group);
  };
  for (const v of nodes) if (!index.has(v)) visit(v);
  return groups;
}

/** The shortest path from `start` back to itself inside one component (breadth first). */
function shortestCycle(
  start: string,
  graph: { next: (path: string) => string[]; within: ReadonlySet<string> },
): string[] {
  const cameFrom = new Map<string, string>();
  const queue = [start];
  for (let i = 0; i < queue.length; i++) {
    const v = queue[i]!;
    for (const w of graph.next(v)) {
      if (!graph.within.has(w)) continue;
      if (w === start) {
        const back: string[] = [];
        for (let u = v; u !== start; u = cameFrom.get(u)!) back.push(u);
        return [start, ...back.reverse(), start];
      }
      if (cameFrom.has(w)) continue;
      cameFrom.set(w, v);
      queue.push(w);
    }
  }
  return [start, start]; // unreachable for a real component
}
