/**
 * `POST /api/jobs/bulk`: one request applies cancel, delete, retry or release to many jobs, by
 * ids or by the selectors the jobs page filters on (state, queue, label, or every job), through
 * the same batched store operations as `queuectl cancel --state …` (ten jobs per checked atomic
 * op remotely, a hundred locally, eight in flight). The answer streams NDJSON: `{"done": n,
 * "total": t}` lines while it runs, then one `{"result": …}` (or `{"error": …}`) line, so the page
 * shows progress without a second request and nothing is left behind when the tab closes.
 *
 * @module
 */
import { UsageError } from "../errors.ts";
import { assertLookupId } from "../ids.ts";
import { JOB_STATES, type JobState } from "../job.ts";
import { parseLabel } from "../labels.ts";
import { assertQueueName } from "../queue.ts";
import {
  type BulkResult,
  cancelJobs,
  countJobs,
  deleteJobs,
  readQueueCounts,
  releaseJobs,
  retryJobs,
  type Selection,
  type Store,
} from "../store/mod.ts";
import { showValue } from "../suggest.ts";
import { statusFor } from "./http_status.ts";
import { jsonBody } from "./json_body.ts";
import { queryOf } from "./params.ts";
import type { Route, RouteContext } from "./router.ts";

/** The bulk actions, as the jobs and DLQ pages offer them. */
export const BULK_ACTIONS = ["cancel", "delete", "retry", "release"] as const;

/** One of {@linkcode BULK_ACTIONS}. */
export type BulkAction = typeof BULK_ACTIONS[number];

/** The most explicit ids one request names: a page selection is at most 1,000 rows. */
export const MAX_BULK_IDS = 10_000;

/** A bulk request once checked: the action and the jobs it applies to. */
export interface BulkRequest {
  /** What to do. */
  action: BulkAction;
  /** To which jobs. */
  selection: Selection;
}

const SHAPE = '{"action": "cancel", "ids": ["a1"]} or {"action": "cancel", "selector": ' +
  '{"state": "scheduled", "queue": "q", "label": "k=v"}} (or "selector": {"all": true})';

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/**
 * Checks a bulk request body (pure): a UsageError (400) names what is wrong.
 *
 * @example
 * ```ts
 * parseBulkRequest('{"action":"cancel","selector":{"state":"scheduled"}}');
 * // { action: "cancel", selection: { state: "scheduled" } }
 * ```
 */
export function parseBulkRequest(text: string): BulkRequest {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new UsageError(`a bulk request must be JSON such as ${SHAPE}`);
  }
  if (!isObject(body)) throw new UsageError(`a bulk request must be an object such as ${SHAPE}`);
  for (const k of Object.keys(body)) {
    if (!["action", "ids", "selector"].includes(k)) {
      throw new UsageError(`unknown bulk request field ${JSON.stringify(k)}; expected ${SHAPE}`);
    }
  }
  const action = body.action;
  if (typeof action !== "string" || !(BULK_ACTIONS as readonly string[]).includes(action)) {
    throw new UsageError(
      `action must be one of ${BULK_ACTIONS.join(", ")}, got ${showValue(action, 40)}`,
    );
  }
  const { ids, selector } = body;
  if ((ids === undefined) === (selector === undefined)) {
    throw new UsageError("a bulk request takes ids or a selector, exactly one of them");
  }
  if (ids !== undefined) {
    if (!Array.isArray(ids) || ids.length === 0 || ids.length > MAX_BULK_IDS) {
      throw new UsageError(`ids must be a list of 1 to ${MAX_BULK_IDS} job ids`);
    }
    const checked = ids.map((id) => {
      if (typeof id !== "string") throw new UsageError(`ids must be strings, got ${showValue(id)}`);
      return assertLookupId(id);
    });
    return { action: action as BulkAction, selection: { ids: [...new Set(checked)] } };
  }
  return { action: action as BulkAction, selection: parseSelector(selector) };
}

function parseSelector(selector: unknown): Selection {
  if (!isObject(selector)) throw new UsageError(`selector must be an object, as in ${SHAPE}`);
  const out: Selection = {};
  for (const [k, v] of Object.entries(selector)) {
    if (v === undefined || v === null || v === "") continue;
    if (k === "state") {
      if (typeof v !== "string" || !(JOB_STATES as readonly string[]).includes(v)) {
        throw new UsageError(
          `selector.state must be one of ${JOB_STATES.join(", ")}, got ${showValue(v, 40)}`,
        );
      }
      out.state = v as JobState;
    } else if (k === "queue") out.queue = assertQueueName(v);
    else if (k === "label") {
      if (typeof v !== "string") throw new UsageError("selector.label must be a string k=v");
      out.label = parseLabel(v);
    } else if (k === "all") {
      if (v !== true && v !== false) throw new UsageError("selector.all must be true or false");
      if (v) out.all = true;
    } else throw new UsageError(`unknown selector field ${JSON.stringify(k)}; expected ${SHAPE}`);
  }
  const narrowed = out.state !== undefined || out.queue !== undefined || out.label !== undefined;
  if (out.all && narrowed) {
    throw new UsageError("selector.all selects every job: leave out state, queue and label");
  }
  if (!out.all && !narrowed) {
    throw new UsageError(
      'an empty selector would select every job: send {"all": true} to mean that',
    );
  }
  return out;
}

/** How many jobs the selection holds when the counters say so cheaply, else null (a label). */
async function totalOf(store: Store, selection: Selection): Promise<number | null> {
  if (selection.ids) return selection.ids.length;
  if (selection.label) return null;
  const sum = (c: Record<JobState, number>) =>
    selection.state ? c[selection.state] : Object.values(c).reduce((a, b) => a + b, 0);
  if (selection.queue !== undefined) {
    const counts = (await readQueueCounts(store)).get(selection.queue);
    return counts ? sum(counts) : 0;
  }
  return sum(await countJobs(store));
}

/**
 * The summary a bulk result ends with: changed, skipped and not-found counts, and the changed
 * jobs by the state they reached (pure).
 *
 * @example
 * ```ts
 * bulkSummary({ changed: 2, byState: { canceled: 2 }, skipped: 1, missing: ["x"] });
 * // { changed: 2, by_state: { canceled: 2 }, skipped: 1, not_found: 1, missing: ["x"] }
 * ```
 */
export function bulkSummary(r: BulkResult): Record<string, unknown> {
  return {
    changed: r.changed,
    by_state: r.byState,
    skipped: r.skipped,
    not_found: r.missing.length,
    missing: r.missing.slice(0, 100),
  };
}

function run(
  store: Store,
  req: BulkRequest,
  now: number,
  onProgress: (done: number) => void,
): Promise<BulkResult> {
  const options = { now, onProgress };
  switch (req.action) {
    case "cancel":
      return cancelJobs(store, req.selection, options);
    case "delete":
      return deleteJobs(store, req.selection, options);
    case "retry":
      return retryJobs(store, req.selection, options);
    case "release":
      return releaseJobs(store, req.selection, options);
  }
}

/** The shortest gap between two progress lines: enough for a bar, few enough to stay cheap. */
const PROGRESS_MS = 100;

async function bulk(ctx: RouteContext): Promise<Response> {
  queryOf(ctx.url, []);
  const request = parseBulkRequest(await jsonBody(ctx.req));
  const total = await totalOf(ctx.store, request.selection);
  const encoder = new TextEncoder();
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      let open = true;
      const send = (line: unknown) => {
        if (!open) return;
        try {
          controller.enqueue(encoder.encode(JSON.stringify(line) + "\n"));
        } catch {
          open = false; // The client went away; the change still runs to its end.
        }
      };
      send({ done: 0, total });
      let lastSent = 0;
      run(ctx.store, request, ctx.now, (done) => {
        const t = Date.now();
        if (t - lastSent < PROGRESS_MS) return;
        lastSent = t;
        send({ done, total });
      }).then(
        (r) => send({ result: { action: request.action, total, ...bulkSummary(r) } }),
        (err) => {
          // The 200 is already sent: the failure is the last line, and a bug's details the log's.
          const { message, expected } = statusFor(err);
          if (!expected) {
            ctx.log.error("web.bulk_failed", {
              action: request.action,
              error: err instanceof Error ? (err.stack ?? err.message) : String(err),
            });
          }
          send({ error: message });
        },
      ).finally(() => {
        if (open) controller.close();
      });
    },
  });
  return new Response(body, {
    headers: { "Content-Type": "application/x-ndjson; charset=utf-8" },
  });
}

/** The bulk route. */
export const bulkRoutes: readonly Route[] = [
  { method: "POST", path: "/api/jobs/bulk", handle: bulk },
];
