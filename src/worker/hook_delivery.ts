/**
 * Running one finish hook for one job: the `on_finish` command (`sh -c`, own process group,
 * time limit, the placeholders also as `QUEUECTL_HOOK_*` variables) and the `on_finish_url` POST
 * of the job's JSON (time limit per try, retried with backoff). No KV: the caller claims and
 * acknowledges (`finish_hooks.ts`).
 *
 * @module
 */
import type { Job } from "../job.ts";
import { expandHookTemplate, hookEnv, retriesAfter } from "../finish_hook.ts";
import { jobJson } from "../json_view.ts";
import { runCommand } from "./run_command.ts";
import { errorLine, sleep } from "./attempt_report.ts";

/**
 * How one hook ended: ok, or the one-line reason it failed (after every try).
 *
 * @example
 * ```ts
 * const failed: HookResult = { ok: false, reason: "exit code 3" };
 * ```
 */
export type HookResult = { ok: true } | { ok: false; reason: string };

/** Options of {@linkcode runHookCommand} and {@linkcode postHook}. */
export interface DeliveryOptions {
  /** Time limit of the command, or of one POST try, in ms. */
  timeoutMs: number;
  /** Aborting kills the command or the request (a stopping worker that gave up waiting). */
  signal?: AbortSignal;
}

/** Output kept from a failing hook command for its log line: enough to see the cause. */
const OUTPUT_IN_LOG = 200;

/**
 * Runs the `on_finish` template for `job` and says how it ended. Its output is discarded, except
 * the start of stderr, which a failure's reason carries.
 *
 * @example
 * ```ts
 * import type { Job } from "../job.ts";
 * declare const job: Job;
 * const r = await runHookCommand("echo {id} {state} >> /tmp/done", job, { timeoutMs: 10_000 });
 * if (!r.ok) console.warn(r.reason);
 * ```
 */
export async function runHookCommand(
  template: string,
  job: Job,
  options: DeliveryOptions,
): Promise<HookResult> {
  const r = await runCommand(expandHookTemplate(template, job), {
    timeoutMs: options.timeoutMs,
    signal: options.signal,
    env: hookEnv(job),
    outputLimit: OUTPUT_IN_LOG,
    killGraceMs: 500,
  });
  if (r.error === null) return { ok: true };
  const stderr = new TextDecoder().decode(r.stderr).trim().replaceAll("\n", " ");
  return { ok: false, reason: stderr ? `${r.error}: ${stderr}` : r.error };
}

/** Tries of the URL hook, and the waits between them (ms). */
const POST_BACKOFF_MS = [500, 2_000];

/**
 * POSTs `job`'s JSON (as `queuectl show --json` prints it) to `url`. A network error, a timeout
 * or a status of 500 or more is tried again, up to three tries in all; a 4xx is not (the
 * receiver refused this request, and would again).
 *
 * @example
 * ```ts
 * import type { Job } from "../job.ts";
 * declare const job: Job;
 * const r = await postHook("http://127.0.0.1:8080/done", job, { timeoutMs: 10_000 });
 * ```
 */
export async function postHook(
  url: string,
  job: Job,
  options: DeliveryOptions,
): Promise<HookResult> {
  const body = JSON.stringify(jobJson(job));
  for (let attempt = 0;; attempt++) {
    const outcome = await postOnce(url, body, options);
    if ("status" in outcome && outcome.status < 300) return { ok: true };
    const reason = "status" in outcome ? `HTTP ${outcome.status}` : outcome.error;
    const wait = POST_BACKOFF_MS[attempt];
    if (!retriesAfter(outcome) || wait === undefined || options.signal?.aborted) {
      return { ok: false, reason: `${reason} (try ${attempt + 1})` };
    }
    await sleep(wait, options.signal);
  }
}

async function postOnce(
  url: string,
  body: string,
  options: DeliveryOptions,
): Promise<{ status: number } | { error: string }> {
  const timeout = AbortSignal.timeout(options.timeoutMs);
  const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
  try {
    const res = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body,
      signal,
      redirect: "manual",
    });
    await res.body?.cancel();
    return { status: res.status };
  } catch (err) {
    if (timeout.aborted) return { error: `timed out after ${options.timeoutMs} ms` };
    return { error: errorLine(err) };
  }
}
