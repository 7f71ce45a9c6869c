/**
 * Reading query parameters strictly: an unknown name or a bad value is a one-line 400, so a
 * script's typo is reported instead of quietly ignored.
 *
 * @module
 */
import { JOB_STATES, type JobState } from "../job.ts";
import { UsageError } from "../errors.ts";
import { suggest } from "../suggest.ts";

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
    throw new UsageError(`unknown parameter ${JSON.stringify(name)}${hint}; ${list}`);
  }
  return url.searchParams;
}

/** A `state` value, or undefined when absent or empty (pure). */
export function stateParam(value: string | null): JobState | undefined {
  if (value === null || value === "") return undefined;
  if ((JOB_STATES as readonly string[]).includes(value)) return value as JobState;
  throw new UsageError(`unknown state ${JSON.stringify(value)} (known: ${JOB_STATES.join(", ")})`);
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
      `${name} must be an integer from ${bounds.min} to ${bounds.max}, got ${
        JSON.stringify(value)
      }`,
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
  throw new UsageError(`${name} must be ${choices.join(" or ")}, got ${JSON.stringify(value)}`);
}
