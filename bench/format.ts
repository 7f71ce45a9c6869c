/**
 * Formatting of figures, and the row of the printed table.
 *
 * @module
 */

/** Formats a number with thousands separators and `digits` decimals. */
export function fmt(n: number, digits = 0): string {
  if (!Number.isFinite(n)) return String(n);
  return n.toLocaleString("en-US", {
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  });
}

/** Formats milliseconds: one decimal below 100 ms, none above. */
export function ms(n: number): string {
  return `${fmt(n, Math.abs(n) < 100 ? 1 : 0)} ms`;
}

/** One line of the printed table: shared by the bench and the report that reprints it. */
export interface Row {
  /** Workload id (P, B1 … B7). */
  id: string;
  /** What was measured. */
  figure: string;
  /** The measured value, formatted. */
  value: string;
  /** Baseline or ratio measured in the same run. */
  ref: string;
  /** The goal from issue #6, if any. */
  goal: string;
  /** Whether the goal is met; null when there is no goal. */
  met: boolean | null;
}
