/**
 * The shape shared by `cancel`, `delete` and `retry` (and `release`, once held jobs exist): one
 * or several job ids, or selectors (`--state`, `--label`, `--all`), applied in batches with a
 * progress bar and a count of what changed and what was skipped.
 *
 * @module
 */
import { buildCommand, type Command, type CommandContext } from "@stricli/core";
import { NotFoundError, UsageError } from "../errors.ts";
import { JOB_STATES, type JobState } from "../job.ts";
import { parseLabel } from "../labels.ts";
import type { BulkResult, Selection } from "../store/bulk.ts";
import type { Store } from "../store/open.ts";
import { countJobs } from "../store/query.ts";
import type { Context } from "./context.ts";
import { parseState } from "./list.ts";
import { Progress } from "./progress.ts";
import { optional, toggle } from "./params.ts";

/**
 * One bulk command: its name, what it does to one id (the command's single-job form, kept as it
 * was), and what it does to a selection.
 *
 * @example
 * ```ts
 * import type { BulkResult } from "../store/bulk.ts";
 * declare const retryJobs: BulkVerb["many"];
 * const retry: BulkVerb = {
 *   name: "retry",
 *   brief: "re-run finished jobs",
 *   one: (_store, id) => Promise.resolve({ text: `${id} requeued`, json: { id } }),
 *   many: retryJobs,
 *   summary: (r: BulkResult) => ({ text: `${r.changed} requeued`, json: { retried: r.changed } }),
 * };
 * ```
 */
export interface BulkVerb {
  /** The command name, also the progress bar's label. */
  name: string;
  /** The one-line help. */
  brief: string;
  /** The single-id form: what it prints as text and as JSON. */
  one: (store: Store, id: string, now: number) => Promise<{ text: string; json: unknown }>;
  /** The bulk form. */
  many: (
    store: Store,
    selection: Selection,
    options: { now: number; onProgress?: (done: number) => void },
  ) => Promise<BulkResult>;
  /** The bulk form's summary line and JSON object (not_found is added). */
  summary: (result: BulkResult) => { text: string; json: Record<string, unknown> };
}

interface BulkFlags {
  state?: string;
  label?: string;
  all?: boolean;
  json?: boolean;
}

/**
 * Builds a bulk command from `verb`. One id alone keeps the single-job form (its errors too: a
 * job in the wrong state exits 1). Several ids, or selectors, run in batches: jobs whose state
 * does not allow the change are skipped and counted; ids that do not exist are named on one
 * line at the end and the exit code is 1, after the rest was done.
 *
 * @example
 * ```ts
 * import type { Context } from "./context.ts";
 * declare const ctx: Context;
 * declare const verb: BulkVerb;
 * const command = bulkCommand(ctx, verb);
 * ```
 */
export function bulkCommand(ctx: Context, verb: BulkVerb): Command<CommandContext> {
  return buildCommand({
    docs: { brief: verb.brief },
    parameters: {
      flags: {
        state: optional(`only jobs in this state: ${JOB_STATES.join(", ")}`, "state"),
        label: optional("only jobs with this label", "k=v"),
        all: toggle("every job (those whose state allows it; the rest are skipped)"),
        json: toggle("print the result as JSON"),
      },
      aliases: { s: "state" },
      positional: {
        kind: "array",
        parameter: { brief: "job id", parse: String, placeholder: "id" },
      },
    },
    func: async (flags: BulkFlags, ...ids: string[]) => {
      const selection = selectionOf(verb.name, flags, ids);
      const store = await ctx.store({ create: false });
      const now = Date.now();
      if (ids.length === 1) {
        const { text, json } = await verb.one(store, ids[0]!, now);
        return ctx.out(flags.json ? JSON.stringify(json) : text);
      }
      const progress = new Progress(ctx, verb.name, await totalOf(store, selection));
      const result = await verb.many(store, selection, {
        now,
        onProgress: (d) => progress.update(d),
      });
      progress.done();
      const missing = ids.filter((id) => result.missing.includes(id));
      const { text, json } = verb.summary(result);
      ctx.out(flags.json ? JSON.stringify({ ...json, not_found: missing }) : text);
      if (missing.length > 0) {
        throw new NotFoundError(`${missing.length} job(s) not found: ${missing.join(", ")}`);
      }
    },
  });
}

/** The selection the command line names; ids and selectors do not mix, and one is needed. */
function selectionOf(name: string, flags: BulkFlags, ids: string[]): Selection {
  const state: JobState | undefined = flags.state === undefined
    ? undefined
    : parseState(flags.state);
  const label = flags.label === undefined ? undefined : parseLabel(flags.label);
  const selectors = state !== undefined || label !== undefined || flags.all === true;
  if (ids.length > 0 && selectors) {
    throw new UsageError(`${name} takes job ids or selectors (--state, --label, --all), not both`);
  }
  if (flags.all && (state !== undefined || label !== undefined)) {
    throw new UsageError(`${name} --all selects every job: leave out --state and --label`);
  }
  if (ids.length === 0 && !selectors) {
    throw new UsageError(`${name} needs job ids, or --state, --label or --all`);
  }
  if (ids.length > 0) return { ids: [...new Set(ids)] };
  return { state, label, all: flags.all };
}

/** The progress bar's total when it is known cheaply: the ids, or a state's counter. */
async function totalOf(store: Store, selection: Selection): Promise<number | null> {
  if (selection.ids) return selection.ids.length;
  if (selection.label) return null;
  const counts = await countJobs(store);
  if (selection.state) return counts[selection.state];
  return Object.values(counts).reduce((a, b) => a + b, 0);
}

/**
 * `n job(s)` with the right plural.
 *
 * @example
 * ```ts
 * jobs(1); // "1 job"
 * jobs(0); // "0 jobs"
 * ```
 */
export function jobs(n: number): string {
  return `${n} job${n === 1 ? "" : "s"}`;
}
