/**
 * Validation of a job spec as JSON from the CLI, a bulk NDJSON line or the web API, into the
 * fields `enqueue` needs. Every rejection is a one-line UsageError naming the field and value.
 *
 * @module
 */

import { UsageError } from "./errors.ts";
import { checkEnvObject, type EnvVars } from "./env_vars.ts";
import { assertJobId } from "./ids.ts";
import { type Labels, readLabels } from "./labels.ts";
import { showValue, suggest } from "./suggest.ts";
import { assertQueueName, DEFAULT_QUEUE } from "./queue.ts";
import { readCommand } from "./spec_command.ts";
import { readDelay, readRunAt, readTimeout, readUniqueFor } from "./spec_times.ts";

/**
 * A validated job spec. Times are epoch ms.
 *
 * @example
 * ```ts
 * const spec: JobSpec = { command: "make test", priority: 0, timeout: null };
 * ```
 */
export interface JobSpec {
  /** Caller-chosen id; absent means one is generated. */
  id?: string;
  /** Shell command, kept exactly as given (checked: not blank, no NUL, valid Unicode, ≤ 32 KiB). */
  command: string;
  /** Retries after the first attempt; absent means the `max_retries` config applies. */
  max_retries?: number;
  /** -1000..1000, higher runs first. */
  priority: number;
  /** When the job may first run; absent means now. */
  run_at?: number;
  /** Per-attempt limit in ms, or null for the configured `job_timeout`. */
  timeout: number | null;
  /** `key=value` labels, indexed (see `labels.ts`); absent when none. */
  labels?: Labels;
  /** Absolute working directory; absent means the enqueue call's default (see `newJob`). */
  cwd?: string;
  /** Variables for the job, laid over the enqueue call's own (`--env`, `--env-all`). */
  env?: EnvVars;
  /** Ids of jobs that must complete before this one runs (1–1000, no repeats); absent: none. */
  after?: string[];
  /** Stored `held`: it never runs until `release`. */
  hold?: boolean;
  /** Unique key (1–128 characters, no control characters); see `unique.ts`. */
  unique_key?: string;
  /** Unique window in ms from enqueue time (≥ 1 s); only with `unique_key`. */
  unique_for?: number;
  /** The named queue (see `queue.ts`); absent means `default`. */
  queue?: string;
}

/** Most jobs one job may run after: a fan-in of 1,000 works within the remote limits. */
export const MAX_AFTER = 1000;

/**
 * Field names a job spec may have (`delay` is turned into `run_at`).
 *
 * @example
 * ```ts
 * JOB_SPEC_FIELDS.includes("delay"); // true
 * ```
 */
export const JOB_SPEC_FIELDS: readonly string[] = Object.freeze([
  "id",
  "command",
  "max_retries",
  "priority",
  "run_at",
  "delay",
  "timeout",
  "labels",
  "cwd",
  "env",
  "after",
  "hold",
  "unique_key",
  "unique_for",
  "queue",
]);

/**
 * Longest JSON text of one spec in UTF-8 bytes, as a line of `enqueue --file`: room for the
 * longest command even if JSON escapes every byte of it as `\u00XX` (six bytes), and the other
 * fields. A longer line is refused as soon as it passes this, so endless input stops at once.
 *
 * @example
 * ```ts
 * MAX_SPEC_BYTES; // 262144
 * ```
 */
export const MAX_SPEC_BYTES = 256 * 1024;

/**
 * Validates a parsed JSON value as a job spec. `now` (epoch ms) anchors `delay`.
 * Fields: id, command, max_retries, priority, run_at (ISO 8601 date and time), delay and
 * timeout (durations or seconds). A null field counts as absent.
 *
 * @example
 * ```ts
 * parseJobSpec({ command: "echo hi", delay: "5m" }, { now: 0 });
 * // { command: "echo hi", priority: 0, run_at: 300000, timeout: null }
 * ```
 */
export function parseJobSpec(input: unknown, options: { now: number }): JobSpec {
  const { now } = options;
  if (!Number.isFinite(now)) throw new UsageError(`now must be a finite time in ms, got ${now}`);
  if (typeof input !== "object" || input === null || Array.isArray(input)) {
    throw new UsageError(`job spec must be a JSON object, got ${showValue(input, 40)}`);
  }
  const fields = input as Record<string, unknown>;
  for (const name of Object.keys(fields)) {
    if (JOB_SPEC_FIELDS.includes(name)) continue;
    const close = suggest(name, JOB_SPEC_FIELDS);
    const hint = close === undefined ? "" : ` (did you mean "${close}"?)`;
    throw new UsageError(`unknown field ${showValue(name, 40)} in job spec${hint}`);
  }
  const present = (name: string) => fields[name] !== undefined && fields[name] !== null;

  const spec: JobSpec = {
    command: readCommand(fields.command),
    priority: present("priority") ? readInteger("priority", fields.priority, -1000, 1000) : 0,
    timeout: readTimeout(fields.timeout),
  };
  if (present("id")) spec.id = assertJobId(fields.id);
  if (present("max_retries")) {
    spec.max_retries = readInteger("max_retries", fields.max_retries, 0, 100);
  }
  if (present("run_at") && present("delay")) {
    throw new UsageError(
      `job spec takes run_at or delay, not both, got run_at ${showValue(fields.run_at, 40)} ` +
        `and delay ${showValue(fields.delay, 40)}`,
    );
  }
  if (present("labels")) {
    const labels = readLabels(fields.labels);
    if (labels) spec.labels = labels;
  }
  if (present("run_at")) spec.run_at = readRunAt(fields.run_at);
  if (present("queue")) {
    const queue = assertQueueName(fields.queue);
    if (queue !== DEFAULT_QUEUE) spec.queue = queue;
  }
  if (present("cwd")) spec.cwd = readCwd(fields.cwd);
  if (present("env")) spec.env = checkEnvObject(fields.env);
  if (present("after")) spec.after = readAfter(fields.after);
  if (present("hold")) {
    if (typeof fields.hold !== "boolean") {
      throw new UsageError(`hold must be true or false, got ${showValue(fields.hold, 40)}`);
    }
    if (fields.hold) spec.hold = true;
  }
  if (present("delay")) spec.run_at = now + readDelay(fields.delay);
  if (present("unique_key")) spec.unique_key = readUniqueKey(fields.unique_key);
  if (spec.unique_key !== undefined && spec.after) {
    throw new UsageError(`unique_key cannot be combined with after yet`);
  }
  if (present("unique_for")) {
    if (spec.unique_key === undefined) {
      throw new UsageError(`unique_for needs unique_key, got unique_for alone`);
    }
    spec.unique_for = readUniqueFor(fields.unique_for);
  }
  return spec;
}

/**
 * JSON.parse then parseJobSpec. Malformed JSON throws UsageError `invalid job JSON: <reason>`.
 *
 * @example
 * ```ts
 * parseJobSpecJson('{"command":"sleep 1","priority":5}', { now: Date.now() }).priority; // 5
 * ```
 */
export function parseJobSpecJson(text: string, options: { now: number }): JobSpec {
  let input: unknown;
  try {
    input = JSON.parse(text);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new UsageError(`invalid job JSON: ${reason.replaceAll(/\s*\n\s*/g, " ")}`);
  }
  return parseJobSpec(input, options);
}

/** `after`: a non-empty array of job ids, repeats dropped. */
function readAfter(value: unknown): string[] {
  if (!Array.isArray(value) || value.length === 0) {
    throw new UsageError(`after must be a non-empty array of job ids, got ${showValue(value, 40)}`);
  }
  const ids = [...new Set(value.map((id) => assertJobId(id)))];
  if (ids.length > MAX_AFTER) {
    throw new UsageError(`after names at most ${MAX_AFTER} jobs, got ${ids.length}`);
  }
  return ids;
}

/** The longest working directory in UTF-16 units (PATH_MAX is 4096 bytes on Linux). */
const MAX_CWD_LENGTH = 4096;

function readCwd(value: unknown): string {
  if (
    typeof value !== "string" || !value.startsWith("/") || value.length > MAX_CWD_LENGTH ||
    value.includes("\0") || !value.isWellFormed()
  ) {
    throw new UsageError(`cwd must be an absolute path, got ${showValue(value, 40)}`);
  }
  return value;
}

function readInteger(name: string, value: unknown, min: number, max: number): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
    throw new UsageError(
      `${name} must be an integer from ${min} to ${max}, got ${showValue(value, 40)}`,
    );
  }
  return value;
}

/** `unique_key`: 1–128 characters of valid Unicode without control characters. */
function readUniqueKey(value: unknown): string {
  if (
    typeof value !== "string" || value.length === 0 || value.length > 128 ||
    !value.isWellFormed() || /\p{Cc}/u.test(value)
  ) {
    throw new UsageError(
      `unique_key must be 1-128 characters without control characters, ` +
        `got ${showValue(value, 40)}`,
    );
  }
  return value;
}
