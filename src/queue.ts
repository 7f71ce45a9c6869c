/**
 * Named queues: the name rule, the settings a queue may have (a concurrency limit, a start rate,
 * a pause), and the pure decision of whether a queue may start a job now. The store checks the
 * same decision inside the claim's atomic operation (see `store/queue_gate.ts`).
 *
 * @module
 */
import { UsageError } from "./errors.ts";
import { formatDuration, parseDuration } from "./duration.ts";
import { parseInteger } from "./number_text.ts";
import { showValue } from "./suggest.ts";

/**
 * The queue of a job enqueued without `--queue`. It exists implicitly: it has a settings record
 * only once it is set or paused.
 *
 * @example
 * ```ts
 * DEFAULT_QUEUE; // "default"
 * ```
 */
export const DEFAULT_QUEUE = "default";

/** Most starts a rate may allow per period: its ring of start times must fit in one KV value. */
export const MAX_RATE_LIMIT = 1000;

/** Highest concurrency limit accepted (far above any machine's worth of workers). */
export const MAX_CONCURRENCY = 100_000;

/**
 * A queue's settings, stored under `["queue", name]`.
 *
 * @example
 * ```ts
 * const s: QueueSettings = {
 *   name: "build", concurrency: 2, rate: null, paused: false, created_at: 0, updated_at: 0,
 * };
 * ```
 */
export interface QueueSettings {
  /** The queue's name (see {@linkcode assertQueueName}). */
  name: string;
  /** At most this many of its jobs run at once, on all hosts; null: no limit. */
  concurrency: number | null;
  /** At most `limit` starts in any `per_ms` window, on all hosts; null: no limit. */
  rate: Rate | null;
  /** True while no new job of the queue may start (running ones finish). */
  paused: boolean;
  /** When the record was made (ms). */
  created_at: number;
  /** When it last changed (ms). */
  updated_at: number;
}

/**
 * A start rate: at most `limit` starts per `per_ms`.
 *
 * @example
 * ```ts
 * const r: Rate = { limit: 10, per_ms: 60_000 }; // 10/1m
 * ```
 */
export interface Rate {
  /** Starts allowed per period, 1..{@linkcode MAX_RATE_LIMIT}. */
  limit: number;
  /** The period in ms (at least 1 s). */
  per_ms: number;
}

const NAME = /^[A-Za-z0-9._-]{1,64}$/;

/**
 * Checks a queue name: 1–64 characters of `[A-Za-z0-9._-]`, not `.` or `..`. Returns it.
 *
 * @example
 * ```ts
 * assertQueueName("build"); // "build"
 * ```
 */
export function assertQueueName(name: unknown): string {
  if (typeof name !== "string" || !NAME.test(name) || name === "." || name === "..") {
    throw new UsageError(
      `queue name must be 1-64 characters of A-Z a-z 0-9 . _ - (not . or ..), got ` +
        showValue(name, 40),
    );
  }
  return name;
}

/**
 * A job's queue: absent in the record means the default queue (a plain job's record keeps its
 * size, B2).
 *
 * @example
 * ```ts
 * queueOf({}); // "default"
 * queueOf({ queue: "mail" }); // "mail"
 * ```
 */
export function queueOf(job: { queue?: string }): string {
  return job.queue ?? DEFAULT_QUEUE;
}

/**
 * The settings of a queue that has no record: no limit, no rate, not paused.
 *
 * @example
 * ```ts
 * defaultSettings("build", 0).paused; // false
 * ```
 */
export function defaultSettings(name: string, now: number): QueueSettings {
  return { name, concurrency: null, rate: null, paused: false, created_at: now, updated_at: now };
}

/**
 * Reads `--concurrency`: an integer 1..100000, or `none` (null: no limit).
 *
 * @example
 * ```ts
 * parseConcurrency("2"); // 2
 * parseConcurrency("none"); // null
 * ```
 */
export function parseConcurrency(text: string): number | null {
  if (text === "none") return null;
  return parseInteger(text, { name: "--concurrency", min: 1, max: MAX_CONCURRENCY });
}

/**
 * Reads `--rate N/DURATION` (`10/1m`: at most 10 starts a minute), or `none` (null). N is
 * 1..1000; the period at least 1 s and at most 1 day.
 *
 * @example
 * ```ts
 * parseRate("10/1m"); // { limit: 10, per_ms: 60000 }
 * parseRate("none"); // null
 * ```
 */
export function parseRate(text: string): Rate | null {
  if (text === "none") return null;
  const slash = text.indexOf("/");
  if (slash < 0) {
    throw new UsageError(`--rate takes N/DURATION such as 10/1m, got ${showValue(text, 40)}`);
  }
  const limit = parseInteger(text.slice(0, slash), {
    name: "--rate's count",
    min: 1,
    max: MAX_RATE_LIMIT,
  });
  const per = parseDuration(text.slice(slash + 1), { name: "--rate's period" });
  if (per < 1000 || per > 86_400_000) {
    throw new UsageError(`--rate's period must be from 1s to 1d, got ${showValue(text, 40)}`);
  }
  return { limit, per_ms: per };
}

/**
 * Prints a rate as `--rate` reads it.
 *
 * @example
 * ```ts
 * formatRate({ limit: 10, per_ms: 60_000 }); // "10/1m"
 * ```
 */
export function formatRate(rate: Rate): string {
  return `${rate.limit}/${formatDuration(rate.per_ms)}`;
}

/** What a queue's gate says: start now, or why not and (for a rate) when to look again. */
export type GateVerdict =
  | { ok: true }
  | { ok: false; reason: "paused" | "limit"; retryAt: null }
  | { ok: false; reason: "rate"; retryAt: number };

/** What the gate needs besides the settings. */
export interface GateState {
  /** Jobs of the queue running now (its `processing` counter). */
  running: number;
  /** Start times kept for the rate (see {@linkcode nextStarts}). */
  starts: readonly number[];
  /** Jobs of the queue that leave `processing` in the same operation (a handoff): 0 or 1. */
  leaving?: number;
}

/**
 * Whether a queue may start one more job at `now` (pure). A paused queue starts nothing; a
 * limited one starts while fewer than `concurrency` run; a rated one while fewer than `limit`
 * starts fall within the last `per_ms`, else it says when the oldest of them leaves the window.
 *
 * @example
 * ```ts
 * const s = { ...defaultSettings("b", 0), concurrency: 2 };
 * startGate(s, { running: 1, starts: [] }, 0); // { ok: true }
 * startGate(s, { running: 2, starts: [] }, 0).ok; // false
 * ```
 */
export function startGate(
  settings: QueueSettings | null,
  state: GateState,
  now: number,
): GateVerdict {
  if (!settings) return { ok: true };
  if (settings.paused) return { ok: false, reason: "paused", retryAt: null };
  const running = state.running - (state.leaving ?? 0);
  if (settings.concurrency !== null && running >= settings.concurrency) {
    return { ok: false, reason: "limit", retryAt: null };
  }
  if (settings.rate !== null) {
    const within = recentStarts(state.starts, settings.rate, now);
    if (within.length >= settings.rate.limit) {
      return {
        ok: false,
        reason: "rate",
        retryAt: within[within.length - settings.rate.limit]! + settings.rate.per_ms,
      };
    }
  }
  return { ok: true };
}

/**
 * The start times to store after a start at `now`: those still within the window, then `now`,
 * at most `limit` of them (oldest first), so the ring never outgrows one KV value.
 *
 * @example
 * ```ts
 * nextStarts([1, 2, 50_000], { limit: 2, per_ms: 60_000 }, 70_000); // [50000, 70000]
 * ```
 */
export function nextStarts(starts: readonly number[], rate: Rate, now: number): number[] {
  return [...recentStarts(starts, rate, now), now].slice(-rate.limit);
}

function recentStarts(starts: readonly number[], rate: Rate, now: number): number[] {
  return starts.filter((t) => t > now - rate.per_ms).sort((a, b) => a - b);
}

/**
 * Reads `--queues a,b`: queue names in order of preference, no repeats.
 *
 * @example
 * ```ts
 * parseQueueList("build,mail"); // ["build", "mail"]
 * ```
 */
export function parseQueueList(text: string): string[] {
  const names = text.split(",");
  for (const name of names) {
    if (name === "") {
      throw new UsageError(`--queues takes names separated by commas, got ${showValue(text, 40)}`);
    }
    assertQueueName(name);
  }
  if (new Set(names).size !== names.length) {
    throw new UsageError(`--queues names a queue twice, got ${showValue(text, 40)}`);
  }
  return names;
}
