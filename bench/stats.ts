/**
 * Summary statistics of the bench's samples.
 *
 * @module
 */

/** Sorted copy of `xs`. */
export function sorted(xs: readonly number[]): number[] {
  return [...xs].sort((a, b) => a - b);
}

/** Quantile `q` in [0, 1] with linear interpolation (type 7); NaN for no data. */
export function quantile(xs: readonly number[], q: number): number {
  if (xs.length === 0) return NaN;
  const s = sorted(xs);
  const pos = (s.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return s[lo]! + (s[hi]! - s[lo]!) * (pos - lo);
}

/** Summary statistics of a sample. */
export interface Summary {
  /** Sample size. */
  n: number;
  /** Median. */
  p50: number;
  /** 95th percentile. */
  p95: number;
  /** 99th percentile. */
  p99: number;
  /** Smallest value. */
  min: number;
  /** Largest value. */
  max: number;
  /** Arithmetic mean. */
  mean: number;
}

/** Summarises a sample (values rounded to 0.01). */
export function summary(xs: readonly number[]): Summary {
  const r = (v: number) => Math.round(v * 100) / 100;
  return {
    n: xs.length,
    p50: r(quantile(xs, 0.5)),
    p95: r(quantile(xs, 0.95)),
    p99: r(quantile(xs, 0.99)),
    min: r(xs.length ? Math.min(...xs) : NaN),
    max: r(xs.length ? Math.max(...xs) : NaN),
    mean: r(xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN),
  };
}
