/**
 * Turning records into what people and scripts read: JSON with ISO times, and aligned tables.
 *
 * @module
 */
export { attemptJson, type JobJson, jobJson, workerJson } from "../json_view.ts";

/**
 * Aligned columns with a header row (pure). Cells are cut to `max` characters.
 *
 * @example
 * ```ts
 * table(["ID", "STATE"], [["a1", "pending"]]); // "ID  STATE\na1  pending"
 * ```
 */
export function table(head: string[], rows: string[][], max = 60): string {
  const cut = (s: string) => {
    const flat = s.replace(/[\r\n\t]+/g, " ");
    return flat.length > max ? flat.slice(0, max - 1) + "…" : flat;
  };
  const all = [head, ...rows.map((r) => r.map(cut))];
  const widths = head.map((_, i) => Math.max(...all.map((r) => (r[i] ?? "").length)));
  return all.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join("  "))
    .join("\n");
}

/**
 * "3s ago"-style age of a time relative to `now` (pure).
 *
 * @example
 * ```ts
 * ago(1_000, 4_000); // "3s ago"
 * ```
 */
export function ago(then: number | null, now: number): string {
  if (then === null) return "-";
  const s = Math.round((now - then) / 1000);
  if (s < 0) return `in ${-s}s`;
  if (s < 120) return `${s}s ago`;
  if (s < 7200) return `${Math.round(s / 60)}m ago`;
  if (s < 172800) return `${Math.round(s / 3600)}h ago`;
  return `${Math.round(s / 86400)}d ago`;
}

/** A time as a short local-independent ISO string without milliseconds, or "-" (pure). */
export function when(ms: number | null): string {
  return ms === null ? "-" : new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");
}
