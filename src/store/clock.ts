/**
 * How far this host's clock is from the KV server's. Leases and `run_at` compare times written
 * by one host with the clock of another, so the skew between hosts eats into the lease.
 *
 * What can be measured: Deno KV exposes no server time. Versionstamps order commits but are not
 * clocks (denokv's advance by one per commit). The one clock a KV Connect server shows is the
 * HTTP `Date` header of its responses, to the second. Sampling it several times across a
 * second and intersecting what each sample allows narrows the offset to about the sampling
 * step plus the round trip. Every host measuring against the same server bounds the skew
 * between any two of them by the sum of their offsets. A local file is shared only by
 * processes of one host, which read one clock: their skew is zero by construction.
 *
 * @module
 */
import type { Store } from "./open.ts";

/** One look at the server's `Date` header. Times are epoch ms. */
export interface DateSample {
  /** Local clock when the request was sent. */
  sentAt: number;
  /** Local clock when the response arrived. */
  receivedAt: number;
  /** The server's `Date`, whose second is somewhere in [serverSecond, serverSecond + 1000). */
  serverSecond: number;
}

/** A measured clock offset. */
export interface ClockOffset {
  /** Server clock minus local clock, in ms: positive when the server is ahead. */
  offsetMs: number;
  /** The true offset is within `offsetMs ± uncertaintyMs`. */
  uncertaintyMs: number;
  /** How it was found. */
  method: "same host" | "http date";
}

/** Skew above this is worth a warning: it is already a tenth of the default lease. */
export const SKEW_WARN_MS = 1000;

/**
 * The offset that all samples agree on (pure): each sample says the offset lies in
 * `[serverSecond - receivedAt, serverSecond + 1000 - sentAt]`; the answer is the middle of the
 * intersection. When samples disagree (a clock stepped meanwhile), the last one alone decides.
 *
 * @example
 * ```ts
 * offsetFromSamples([{ sentAt: 10_400, receivedAt: 10_402, serverSecond: 15_000 }]);
 * // { offsetMs: 5099, uncertaintyMs: 501, method: "http date" }
 * ```
 */
export function offsetFromSamples(samples: DateSample[]): ClockOffset | null {
  if (samples.length === 0) return null;
  let lo = -Infinity;
  let hi = Infinity;
  for (const s of samples) {
    lo = Math.max(lo, s.serverSecond - s.receivedAt);
    hi = Math.min(hi, s.serverSecond + 1000 - s.sentAt);
  }
  if (lo > hi) {
    const last = samples[samples.length - 1]!;
    lo = last.serverSecond - last.receivedAt;
    hi = last.serverSecond + 1000 - last.sentAt;
  }
  return {
    offsetMs: Math.round((lo + hi) / 2),
    uncertaintyMs: Math.ceil((hi - lo) / 2),
    method: "http date",
  };
}

/**
 * Measures this host's clock against the store's. Local: zero at once. Remote: about a second
 * of `Date` samples from the server's URL; null when the server sends no usable `Date`.
 *
 * @example
 * ```ts
 * import type { Store } from "./open.ts";
 * declare const store: Store;
 * const skew = await measureClockOffset(store);
 * if (skew && Math.abs(skew.offsetMs) > SKEW_WARN_MS) console.warn("clock skew", skew);
 * ```
 */
export async function measureClockOffset(
  store: Store,
  options: { samples?: number; timeoutMs?: number } = {},
): Promise<ClockOffset | null> {
  if (!store.remote) return { offsetMs: 0, uncertaintyMs: 0, method: "same host" };
  const count = options.samples ?? 8;
  const samples: DateSample[] = [];
  for (let i = 0; i < count; i++) {
    const sample = await sampleDate(store.location, options.timeoutMs ?? 5000);
    if (sample) samples.push(sample);
    // Spread the samples over one second, so one of them lands near a tick of the server's
    // second and pins the offset down.
    if (i < count - 1) await new Promise((r) => setTimeout(r, 1000 / count + Math.random() * 10));
  }
  return offsetFromSamples(samples);
}

async function sampleDate(url: string, timeoutMs: number): Promise<DateSample | null> {
  const sentAt = Date.now();
  try {
    const res = await fetch(url, { method: "GET", signal: AbortSignal.timeout(timeoutMs) });
    const receivedAt = Date.now();
    await res.body?.cancel();
    const date = Date.parse(res.headers.get("date") ?? "");
    return Number.isFinite(date) ? { sentAt, receivedAt, serverSecond: date } : null;
  } catch {
    return null;
  }
}
