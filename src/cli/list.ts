/**
 * `queuectl list`: jobs, optionally of one state, through the state's listing.
 *
 * @module
 */
import { buildCommand, type Command, type CommandContext } from "@stricli/core";
import { JOB_STATES, type JobState } from "../job.ts";
import { UsageError } from "../errors.ts";
import { parseInteger } from "../number_text.ts";
import { listJobs } from "../store/query.ts";
import { listLabeled } from "../store/label_query.ts";
import { parseLabel } from "../labels.ts";
import { assertQueueName, DEFAULT_QUEUE, queueOf } from "../queue.ts";
import { pageJobs } from "../store/page.ts";
import type { Store } from "../store/open.ts";
import type { Context } from "./context.ts";
import { jobJson, table, when } from "./format.ts";
import type { Job } from "../job.ts";
import { optional, toggle, withDefault } from "./params.ts";

/**
 * Reads a `--state` value (pure).
 *
 * @example
 * ```ts
 * parseState("dead"); // "dead"
 * ```
 */
export function parseState(text: string): JobState {
  if ((JOB_STATES as readonly string[]).includes(text)) return text as JobState;
  throw new UsageError(`unknown state "${text}" (known: ${JOB_STATES.join(", ")})`);
}

/**
 * Reads a `--limit` value (pure).
 *
 * @example
 * ```ts
 * parseLimit("50"); // 50
 * ```
 */
export function parseLimit(text: string): number {
  return parseInteger(text, { name: "--limit", min: 1, max: 1000 });
}

/**
 * Prints jobs as a table. Shared by `list` and `dlq list`. A QUEUE column is added when a job
 * shown is in a named queue, unless `queue` says the listing is of one queue already.
 */
export function printJobs(ctx: Context, jobs: Job[], options: { queue?: string } = {}): void {
  if (jobs.length === 0) return ctx.out("no jobs");
  const named = options.queue === undefined && jobs.some((j) => queueOf(j) !== DEFAULT_QUEUE);
  const head = ["ID", "STATE", "TRIES", "PRIO", "UPDATED", "RUN AT", "COMMAND", "LAST ERROR"];
  ctx.out(table(
    named ? [...head.slice(0, 2), "QUEUE", ...head.slice(2)] : head,
    jobs.map((j) => [
      j.id,
      j.state,
      ...(named ? [queueOf(j)] : []),
      `${j.attempts}/${1 + j.max_retries}`,
      String(j.priority),
      when(j.updated_at),
      // When a scheduled job runs, or a failed one's retry is due; blank for the others.
      j.state === "scheduled" || j.state === "failed" ? when(j.run_at) : "",
      j.command,
      j.last_error ?? "",
    ]),
    48,
  ));
}

interface ListFlags {
  state?: string;
  limit: string;
  after?: string;
  label?: string;
  json?: boolean;
  all?: boolean;
  queue?: string;
}

/**
 * `--all`: every job of the selection, one JSON object a line, a page of the index at a time
 * through its cursor, so memory stays that of one page (1,000 jobs) at any queue size.
 */
async function streamAll(
  ctx: Context,
  store: Store,
  selection: { state?: JobState; label?: [string, string]; queue?: string },
): Promise<void> {
  const { state, label, queue } = selection;
  // Each selection pages through its own index; the loop only passes back where a page ended.
  const page = async (at: string | undefined): Promise<[Job[], string | null]> => {
    if (queue !== undefined) {
      const p = await listJobs(store, { state, queue, limit: 1000, after: at });
      return [p.jobs, p.next];
    }
    if (label) {
      // The label index pages by the last job shown, as `list --label --after` does.
      const p = await listLabeled(store, { label, state, limit: 1000, after: at });
      return [p.jobs, p.next];
    }
    const p = await pageJobs(store, { state, limit: 1000, cursor: at });
    return [p.jobs, p.cursor];
  };
  let at: string | undefined;
  do {
    const [jobs, next] = await page(at);
    for (const job of jobs) ctx.out(JSON.stringify(jobJson(job)));
    at = next ?? undefined;
  } while (at !== undefined);
}

/** Builds the `list` command. */
export function listCommand(ctx: Context): Command<CommandContext> {
  return buildCommand({
    docs: { brief: "list jobs: pending ones in the order they will run, others oldest first" },
    parameters: {
      flags: {
        state: optional(`only jobs in this state: ${JOB_STATES.join(", ")}`, "state"),
        limit: withDefault("at most this many (1-1000)", "n", "50"),
        after: optional("continue after this job id (paging)", "id"),
        label: optional("only jobs with this label (oldest enqueued first)", "k=v"),
        queue: optional("only jobs of this queue", "name"),
        json: toggle("print a JSON array"),
        all: toggle("stream every job of the selection as NDJSON, one job a line, no cap"),
      },
      aliases: { s: "state", l: "limit" },
    },
    func: async (flags: ListFlags) => {
      const state = flags.state === undefined ? undefined : parseState(flags.state);
      const limit = parseLimit(flags.limit);
      const label = flags.label === undefined ? undefined : parseLabel(flags.label);
      const queue = flags.queue === undefined ? undefined : assertQueueName(flags.queue);
      if (queue !== undefined && label) {
        throw new UsageError("--queue cannot be combined with --label yet");
      }
      if (flags.all && flags.after !== undefined) {
        throw new UsageError("--all cannot be combined with --after");
      }
      const store = await ctx.store({ create: false });
      if (flags.all) return await streamAll(ctx, store, { state, label, queue });
      const page = label
        ? await listLabeled(store, { label, state, limit, after: flags.after })
        : await listJobs(store, { state, limit, after: flags.after, queue });
      if (flags.json) return ctx.out(JSON.stringify(page.jobs.map(jobJson)));
      printJobs(ctx, page.jobs, { queue });
      if (page.next) ctx.out(`… more: --after ${page.next}`);
    },
  });
}
