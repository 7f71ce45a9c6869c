/**
 * A group of the table's lines as data: the cells of each line, read from one item of a run's
 * results, and the items the lines are repeated for.
 *
 * @module
 */
import type { Row } from "./format.ts";
import type { Results } from "./results.ts";

/** A cell: fixed text, or text read from the item the line is built for. */
export type Cell<T> = string | ((x: T) => string);

/** One line of the table: how its cells read from one item. Cells left out are empty. */
export interface Line<T> {
  /** What was measured. */
  figure: Cell<T>;
  /** The measured value, formatted. */
  value: Cell<T>;
  /** Baseline or ratio measured in the same run. */
  ref?: Cell<T>;
  /** The goal from issue #6. */
  goal?: Cell<T>;
  /** Whether the goal is met; null (or no `met`) where the line has no goal. */
  met?: (x: T) => boolean | null;
}

/** A workload's lines, built once for each item its results hold (none if it did not run). */
export interface Group<T> {
  /** Workload id of every row (P, B1 … B7, R). */
  id: string;
  /** The items the lines are built for, in print order. */
  items: (r: Results) => readonly T[];
  /** The lines built for each item, in print order. */
  lines: readonly Line<T>[];
}

/**
 * Turns a group into the function that builds its rows from a run's results: each line for each
 * item, item by item.
 *
 * @example
 * ```ts
 * const b2 = group({
 *   id: "B2",
 *   items: (r) => r.B2 ? [r.B2] : [],
 *   lines: [{ figure: "bulk enqueue", value: (b) => `${b.jobs_per_s} jobs/s` }],
 * });
 * b2({}); // []
 * ```
 */
export function group<T>(g: Group<T>): (r: Results) => Row[] {
  const cell = (c: Cell<T> | undefined, x: T) =>
    c === undefined ? "" : typeof c === "string" ? c : c(x);
  return (r) =>
    g.items(r).flatMap((x) =>
      g.lines.map((l) => ({
        id: g.id,
        figure: cell(l.figure, x),
        value: cell(l.value, x),
        ref: cell(l.ref, x),
        goal: cell(l.goal, x),
        met: l.met?.(x) ?? null,
      }))
    );
}
