/**
 * Job labels: `key=value` pairs given at enqueue, fixed for the job's life, and indexed so that
 * `list`, `status`, the bulk commands and the API select by them without a scan.
 *
 * @module
 */
import { UsageError } from "./errors.ts";
import { showValue } from "./suggest.ts";

/**
 * A job's labels, key to value.
 *
 * @example
 * ```ts
 * const labels: Labels = { batch: "7", team: "data" };
 * ```
 */
export type Labels = Record<string, string>;

/**
 * At most this many labels per job: each is one index key written with the job, and a bulk
 * enqueue's atomic operation must still hold a few dozen jobs.
 *
 * @example
 * ```ts
 * MAX_LABELS; // 16
 * ```
 */
export const MAX_LABELS = 16;

/**
 * Longest label value in characters (code points).
 *
 * @example
 * ```ts
 * MAX_LABEL_VALUE_CHARS; // 128
 * ```
 */
export const MAX_LABEL_VALUE_CHARS = 128;

const KEY = /^[A-Za-z0-9._-]{1,64}$/;
// Control characters would break the one-line output of `list` and the key=value form.
// deno-lint-ignore no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

/**
 * Checks one label; returns it. A key is 1–64 of `[A-Za-z0-9._-]`; a value is 1–128 characters
 * of any Unicode text without control characters (so `=` and spaces are allowed in values).
 *
 * @example
 * ```ts
 * assertLabel("batch", "7"); // ["batch", "7"]
 * ```
 */
export function assertLabel(key: unknown, value: unknown): [string, string] {
  if (typeof key !== "string" || !KEY.test(key)) {
    throw new UsageError(
      `label key must be 1-64 characters of A-Z a-z 0-9 . _ -, got ${showValue(key, 40)}`,
    );
  }
  if (typeof value !== "string" || value === "") {
    throw new UsageError(
      `label "${key}" needs a non-empty string value, got ${showValue(value, 40)}`,
    );
  }
  if ([...value].length > MAX_LABEL_VALUE_CHARS || CONTROL.test(value) || !value.isWellFormed()) {
    throw new UsageError(
      `label "${key}" value must be 1-${MAX_LABEL_VALUE_CHARS} characters without control ` +
        `characters, got ${showValue(value, 40)}`,
    );
  }
  return [key, value];
}

/**
 * Parses `key=value` (the first `=` splits). No `=`, or nothing after it, is a UsageError.
 *
 * @example
 * ```ts
 * parseLabel("batch=7"); // ["batch", "7"]
 * parseLabel("note=a=b"); // ["note", "a=b"]
 * ```
 */
export function parseLabel(text: string): [string, string] {
  const at = text.indexOf("=");
  if (at < 0) throw new UsageError(`label must be key=value, got ${showValue(text, 40)}`);
  return assertLabel(text.slice(0, at), text.slice(at + 1));
}

/**
 * Builds a job's labels from `key=value` texts (the repeatable `--label`), refusing a repeated
 * key and more than {@linkcode MAX_LABELS}. None gives undefined (a job without labels stores no
 * field).
 *
 * @example
 * ```ts
 * parseLabels(["batch=7", "team=data"]); // { batch: "7", team: "data" }
 * parseLabels([]); // undefined
 * ```
 */
export function parseLabels(texts: readonly string[]): Labels | undefined {
  return collect(texts.map(parseLabel));
}

/**
 * Validates a spec's `"labels"` field: a JSON object of string values.
 *
 * @example
 * ```ts
 * readLabels({ batch: "7" }); // { batch: "7" }
 * ```
 */
export function readLabels(value: unknown): Labels | undefined {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new UsageError(`job spec "labels" must be an object, got ${showValue(value, 40)}`);
  }
  return collect(Object.entries(value).map(([k, v]) => assertLabel(k, v)));
}

function collect(pairs: [string, string][]): Labels | undefined {
  if (pairs.length === 0) return undefined;
  if (pairs.length > MAX_LABELS) {
    throw new UsageError(`a job takes at most ${MAX_LABELS} labels, got ${pairs.length}`);
  }
  const seen = new Set<string>();
  for (const [k] of pairs) {
    if (seen.has(k)) throw new UsageError(`label "${k}" given twice`);
    seen.add(k);
  }
  // fromEntries makes own properties even of a key such as "__proto__".
  return Object.fromEntries(pairs);
}
