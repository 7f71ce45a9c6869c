/**
 * Reading query parameters strictly: an unknown name or a bad value is a one-line 400, so a
 * script's typo is reported instead of quietly ignored.
 *
 * @module
 */
import { JOB_ID_PATTERN } from "../ids.ts";
import { JOB_STATES, type JobState } from "../job.ts";
import { UsageError } from "../errors.ts";
import { showValue, suggest } from "../suggest.ts";

/**
 * The query of `url`, refusing any parameter not in `known` (pure).
 *
 * @example
 * ```ts
 * queryOf(new URL("http://h/api/jobs?state=dead"), ["state"]).get("state"); // "dead"
 * ```
 */
export function queryOf(url: URL, known: readonly string[]): URLSearchParams {
  for (const name of url.searchParams.keys()) {
    if (known.includes(name)) continue;
    const close = suggest(name, known);
    const hint = close === undefined ? "" : ` (did you mean "${close}"?)`;
    const list = known.length ? `known: ${known.join(", ")}` : "this route takes none";
    throw new UsageError(`unknown parameter ${showValue(name)}${hint}; ${list}`);
  }
  return url.searchParams;
}

/** A `state` value, or undefined when absent or empty (pure). */
export function stateParam(value: string | null): JobState | undefined {
  if (value === null || value === "") return undefined;
  if ((JOB_STATES as readonly string[]).includes(value)) return value as JobState;
  throw new UsageError(`unknown state ${showValue(value)} (known: ${JOB_STATES.join(", ")})`);
}

/** An integer parameter within bounds, or `fallback` when absent (pure). */
export function intParam(
  name: string,
  value: string | null,
  bounds: { min: number; max: number; fallback: number },
): number {
  if (value === null || value === "") return bounds.fallback;
  const n = Number(value);
  if (!/^-?\d+$/.test(value) || n < bounds.min || n > bounds.max) {
    throw new UsageError(
      `${name} must be an integer from ${bounds.min} to ${bounds.max}, got ${showValue(value)}`,
    );
  }
  return n;
}

/** One of `choices`, or the first when absent (pure). */
export function choiceParam<T extends string>(
  name: string,
  value: string | null,
  choices: readonly T[],
): T {
  if (value === null || value === "") return choices[0]!;
  if ((choices as readonly string[]).includes(value)) return value as T;
  throw new UsageError(`${name} must be ${choices.join(" or ")}, got ${showValue(value)}`);
}

/**
 * A free-text parameter of at most `maxChars` characters, trimmed; "" when absent (pure).
 *
 * @example
 * ```ts
 * textParam("q", " backup ", 1000); // "backup"
 * ```
 */
export function textParam(name: string, value: string | null, maxChars: number): string {
  const text = (value ?? "").trim();
  if (text.length > maxChars) {
    throw new UsageError(`${name} must be at most ${maxChars} characters, got ${text.length}`);
  }
  return text;
}

/**
 * A job id from the path, checked for the shape every id has before it becomes part of a KV
 * key, so an overlong one is a 400 rather than a failure inside KV (pure).
 *
 * @example
 * ```ts
 * jobIdParam("backup:2026-11-23"); // "backup:2026-11-23"
 * ```
 */
export function jobIdParam(value: string): string {
  if (JOB_ID_PATTERN.test(value)) return value;
  const got = value.length > 60 ? `${value.length} characters` : showValue(value);
  throw new UsageError(
    `job id must be 1-128 characters of A-Z a-z 0-9 . _ : -, got ${got}`,
  );
}

/**
 * `stream=` of an output read: one stream, or `merged` (both, in the order the worker read them);
 * stdout when absent.
 *
 * @example
 * ```ts
 * outputStreamParam(new URLSearchParams("stream=merged")); // "merged"
 * ```
 */
export function outputStreamParam(q: URLSearchParams): "stdout" | "stderr" | "merged" {
  return choiceParam("stream", q.get("stream"), ["stdout", "stderr", "merged"]);
}

/**
 * `attempt=` of an output read: 1 to 1,000,000, the job's latest (`runs`) when absent.
 *
 * @example
 * ```ts
 * attemptParam(new URLSearchParams(""), 3); // 3
 * ```
 */
export function attemptParam(q: URLSearchParams, runs: number): number {
  return intParam("attempt", q.get("attempt"), { min: 1, max: 1_000_000, fallback: runs });
}
