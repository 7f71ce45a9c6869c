/**
 * Finish hooks, the pure parts: the placeholders an `on_finish` template may use, checking and
 * expanding a template (every substituted value shell-quoted), the hook's environment variables,
 * and the `on_finish_url` rule (http or https only). Running them is the worker's
 * (`worker/finish_hooks.ts`).
 *
 * @module
 */
import type { Job } from "./job.ts";
import { UsageError } from "./errors.ts";
import { showValue } from "./suggest.ts";
import { queueOf } from "./queue.ts";

/**
 * The placeholders of an `on_finish` template, in the order the README lists them:
 *
 * - `{id}`: the job's id.
 * - `{state}`: its final state (`completed`, `dead` or `canceled`).
 * - `{exit_code}`: the exit code of its last attempt; empty when there is none.
 * - `{queue}`: its queue (`default` when it has none).
 * - `{attempts}`: attempts started in its current cycle.
 * - `{duration_ms}`: the run time of its last attempt; empty when it never ran.
 * - `{command}`: its command.
 * - `{error}`: why its last attempt failed; empty when it did not.
 *
 * @example
 * ```ts
 * HOOK_PLACEHOLDERS.includes("exit_code"); // true
 * ```
 */
export const HOOK_PLACEHOLDERS = [
  "id",
  "state",
  "exit_code",
  "queue",
  "attempts",
  "duration_ms",
  "command",
  "error",
] as const;

/**
 * One placeholder's name.
 *
 * @example
 * ```ts
 * const name: HookPlaceholder = "state";
 * ```
 */
export type HookPlaceholder = typeof HOOK_PLACEHOLDERS[number];

/**
 * A placeholder is `{name}` not preceded by `$`: `${HOME}` stays the shell's, and so do brace
 * expansions such as `{a,b}`, which are not names.
 */
const PLACEHOLDER = /(?<!\$)\{([A-Za-z_][A-Za-z0-9_]*)\}/g;

/** A hook command is one config value: a few KiB is plenty, and it bounds the expansion. */
const MAX_TEMPLATE_CHARS = 4096;

/**
 * Checks an `on_finish` template: every `{name}` must be a known placeholder. The empty text
 * means no command hook. Returns the template; throws a one-line UsageError otherwise.
 *
 * @example
 * ```ts
 * parseHookTemplate("echo {id} {state} >> /tmp/done"); // returned as is
 * parseHookTemplate("echo {job}"); // throws: unknown placeholder {job}
 * ```
 */
export function parseHookTemplate(text: string): string {
  if (text.length > MAX_TEMPLATE_CHARS) {
    throw new UsageError(`on_finish must be at most ${MAX_TEMPLATE_CHARS} characters`);
  }
  for (const match of text.matchAll(PLACEHOLDER)) {
    const name = match[1]!;
    if (!(HOOK_PLACEHOLDERS as readonly string[]).includes(name)) {
      throw new UsageError(
        `on_finish has an unknown placeholder {${name.slice(0, 40)}} ` +
          `(known: ${HOOK_PLACEHOLDERS.map((p) => `{${p}}`).join(", ")})`,
      );
    }
  }
  return text;
}

/**
 * Checks an `on_finish_url`: an absolute http or https URL, or the empty text for none.
 * Returns it; throws a one-line UsageError otherwise.
 *
 * @example
 * ```ts
 * parseHookUrl("http://127.0.0.1:8080/done"); // returned as is
 * parseHookUrl("ftp://x"); // throws: must be an http or https URL
 * ```
 */
export function parseHookUrl(text: string): string {
  if (text === "") return text;
  let url: URL | null = null;
  try {
    url = new URL(text);
  } catch {
    // Refused below with the same line as a wrong scheme.
  }
  if (!url || (url.protocol !== "http:" && url.protocol !== "https:") || text.length > 2048) {
    throw new UsageError(`on_finish_url must be an http or https URL, got ${showValue(text, 40)}`);
  }
  return text;
}

/**
 * The values of the placeholders for `job` (pure). The queue is read in one place, so that it
 * works before and after jobs carry one.
 *
 * @example
 * ```ts
 * import type { Job } from "./job.ts";
 * declare const job: Job;
 * hookValues({ ...job, exit_code: null }).exit_code; // ""
 * ```
 */
export function hookValues(job: Job): Record<HookPlaceholder, string> {
  const ran = job.started_at !== null && job.finished_at !== null;
  return {
    id: job.id,
    state: job.state,
    exit_code: job.exit_code === null ? "" : String(job.exit_code),
    queue: queueOf(job),
    attempts: String(job.attempts),
    duration_ms: ran ? String(Math.max(0, job.finished_at! - job.started_at!)) : "",
    command: job.command,
    error: job.last_error ?? "",
  };
}

/**
 * `template` with every placeholder replaced by its value, single-quoted for `sh` (pure). A
 * value can therefore never add shell syntax, whatever a job's id, command or error holds; the
 * template must not quote placeholders itself.
 *
 * @example
 * ```ts
 * import type { Job } from "./job.ts";
 * declare const job: Job;
 * expandHookTemplate("echo {id} {state}", { ...job, id: "a1", state: "completed" });
 * // "echo 'a1' 'completed'"
 * ```
 */
export function expandHookTemplate(template: string, job: Job): string {
  const values = hookValues(job);
  return template.replace(
    PLACEHOLDER,
    (whole, name: string) =>
      Object.hasOwn(values, name) ? shellQuote(values[name as HookPlaceholder]) : whole,
  );
}

/**
 * The placeholders as environment variables for the hook command (`QUEUECTL_HOOK_ID`, …),
 * which scripts can read without any quoting concern (pure).
 *
 * @example
 * ```ts
 * import type { Job } from "./job.ts";
 * declare const job: Job;
 * hookEnv({ ...job, state: "dead" }).QUEUECTL_HOOK_STATE; // "dead"
 * ```
 */
export function hookEnv(job: Job): Record<string, string> {
  const values = hookValues(job);
  return Object.fromEntries(
    HOOK_PLACEHOLDERS.map((p) => [`QUEUECTL_HOOK_${p.toUpperCase()}`, values[p]]),
  );
}

/**
 * `value` as one `sh` word: single quotes, each inner `'` written as `'\''` (pure).
 *
 * @example
 * ```ts
 * shellQuote("it's"); // "'it'\\''s'"
 * ```
 */
export function shellQuote(value: string): string {
  return `'${value.replaceAll("'", `'\\''`)}'`;
}

/**
 * Whether the URL hook retries after `outcome` (pure): a network error, a timeout or a status of
 * 500 or more does; a 4xx (the receiver refused this request) and a success do not.
 *
 * @example
 * ```ts
 * retriesAfter({ status: 503 }); // true
 * retriesAfter({ status: 404 }); // false
 * retriesAfter({ error: "timed out" }); // true
 * ```
 */
export function retriesAfter(outcome: { status: number } | { error: string }): boolean {
  return "error" in outcome || outcome.status >= 500;
}

/**
 * Whether any finish hook is configured (pure): then final transitions write outbox entries.
 *
 * @example
 * ```ts
 * hooksOn({ on_finish: "", on_finish_url: "http://127.0.0.1:9/done" }); // true
 * ```
 */
export function hooksOn(config: { on_finish: string; on_finish_url: string }): boolean {
  return config.on_finish !== "" || config.on_finish_url !== "";
}
