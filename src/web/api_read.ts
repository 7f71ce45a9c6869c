/**
 * The read side of the JSON API: status, job pages and search, one job with its history, its
 * captured output, and the workers. Jobs use the CLI's `--json` form (`src/json_view.ts`).
 *
 * @module
 */
import { NotFoundError, UsageError } from "../errors.ts";
import { parseLabel } from "../labels.ts";
import { assertQueueName } from "../queue.ts";
import type { Job, JobState } from "../job.ts";
import { attemptJson, jobJson, workerJson } from "../json_view.ts";
import {
  countJobs,
  envNames,
  getJob,
  LABEL_SCAN,
  type LabelSelector,
  listAttempts,
  listJobs,
  listLabeled,
  listWorkers,
  pageByCreation,
  pageJobs,
  readMergedOutput,
  readMetrics,
  readOutput,
  readQueueCounts,
  searchJobs,
  type WorkerRecord,
} from "../store/mod.ts";
import type { OutputStream } from "../store/mod.ts";
import { logsBody } from "./logs_body.ts";
import { choiceParam, intParam, queryOf, stateParam, textParam } from "./params.ts";
import { json } from "./response.ts";
import type { Route, RouteContext } from "./router.ts";

/** How many jobs one search call looks at, at most, before it stops and offers to go on. */
export const SEARCH_SCAN = 10_000;

/** How long one search call scans before it answers with what it found (`partial`). */
export const SEARCH_BUDGET_MS = 1000;

/** The longest search text: longer is surely a mistake, and bounds each job's match cost. */
export const MAX_SEARCH_CHARS = 1000;

/** A worker as the API shows it: the CLI's JSON form plus how old its heartbeat is. */
export function workerView(w: WorkerRecord, now: number): Record<string, unknown> {
  return { ...workerJson(w), heartbeat_age_ms: Math.max(0, now - w.heartbeat_at) };
}

async function status(ctx: RouteContext): Promise<Response> {
  queryOf(ctx.url, []);
  const [counts, workers] = await Promise.all([countJobs(ctx.store), listWorkers(ctx.store)]);
  return json({
    counts,
    workers: workers.map((w) => workerView(w, ctx.now)),
    dlq: counts.dead,
    now: new Date(ctx.now).toISOString(),
    auth_required: ctx.authRequired,
    worker_control: ctx.workerControl !== null,
  });
}

/** The `label=k=v` parameter, or undefined when absent or empty. */
function labelParam(text: string | null): LabelSelector | undefined {
  return text ? parseLabel(text) : undefined;
}

/** How many jobs a filter holds when the counters say so (no label, no search), else null. */
async function totalOf(
  ctx: RouteContext,
  filter: { state?: JobState; queue?: string },
): Promise<number | null> {
  const counts = filter.queue === undefined
    ? await countJobs(ctx.store)
    : (await readQueueCounts(ctx.store)).get(filter.queue);
  if (!counts) return 0;
  return filter.state ? counts[filter.state] : Object.values(counts).reduce((a, b) => a + b, 0);
}

/** A search text shaped like `k=v`, read as a label; anything else is null. */
function labelShaped(text: string): LabelSelector | null {
  if (!/^[^=\s]+=\S/.test(text)) return null;
  try {
    return parseLabel(text);
  } catch {
    return null;
  }
}

async function jobs(ctx: RouteContext): Promise<Response> {
  const q = queryOf(ctx.url, ["state", "limit", "cursor", "order", "q", "label", "queue"]);
  const state = stateParam(q.get("state"));
  const limit = intParam("limit", q.get("limit"), { min: 1, max: 1000, fallback: 50 });
  const cursor = q.get("cursor") || undefined;
  const order = choiceParam("order", q.get("order"), ["oldest", "newest"] as const);
  const text = textParam("q", q.get("q"), MAX_SEARCH_CHARS);
  const label = labelParam(q.get("label"));
  const queue = q.get("queue") ? assertQueueName(q.get("queue")) : undefined;
  if (text !== "") return await search(ctx, { text, state, queue, label, limit, cursor, order });
  if (label) {
    // State and queue are filtered within the label's index walk (bounded: LABEL_SCAN entries
    // per call), which the answer says, since a page may then come back short.
    const page = await listLabeled(ctx.store, {
      label,
      state,
      queue,
      limit,
      after: cursor,
      order,
    });
    const filtered = state !== undefined || queue !== undefined;
    return json({
      jobs: page.jobs.map(jobJson),
      next_cursor: page.next,
      total: null,
      ...(filtered ? { filtered: { index: "label", bounded_scan: LABEL_SCAN } } : {}),
    });
  }
  if (queue !== undefined) {
    // Pages by the last job shown, as `list --queue --after` does.
    if (order === "newest") {
      throw new UsageError("queue lists in index order and cannot be combined with order=newest");
    }
    // Pending jobs have the queue's own keys; any other state is its listing filtered by queue
    // within a bounded scan, which the answer says (a page may then come back short).
    const page = await listJobs(ctx.store, {
      queue,
      state,
      limit,
      after: cursor,
      scan: LABEL_SCAN,
    });
    const index = state === "pending" ? null : state ? "state" : "job";
    return json({
      jobs: page.jobs.map(jobJson),
      next_cursor: page.next,
      total: await totalOf(ctx, { state, queue }),
      ...(index ? { filtered: { index, bounded_scan: LABEL_SCAN } } : {}),
    });
  }
  // Every job: by creation time (ids users picked do not sort by it); a state: its listing.
  const page = state
    ? await pageJobs(ctx.store, { state, limit, cursor, order })
    : await pageByCreation(ctx.store, { limit, cursor, order });
  return json({
    jobs: page.jobs.map(jobJson),
    next_cursor: page.cursor,
    total: await totalOf(ctx, { state }),
  });
}

/**
 * A search by id, label or command in one request, bounded in time: a `k=v` text lists that
 * label's jobs through its index; an id is looked up, and ids starting with the text read as one
 * range; command (and id) substrings are a scan of at most SEARCH_SCAN jobs or SEARCH_BUDGET_MS,
 * whichever ends first. `partial: true` says the scan stopped before the end of the index.
 */
async function search(
  ctx: RouteContext,
  o: {
    text: string;
    state?: JobState;
    queue?: string;
    label?: LabelSelector;
    limit: number;
    cursor?: string;
    order: "oldest" | "newest";
  },
): Promise<Response> {
  const asLabel = o.label ?? labelShaped(o.text);
  if (asLabel) {
    // Within a label: its index, the text (unless it is the label) matched on id and command.
    const page = await listLabeled(ctx.store, {
      label: asLabel,
      state: o.state,
      queue: o.queue,
      limit: o.label ? 1000 : o.limit,
      after: o.cursor,
      order: o.order,
    });
    const needle = o.label ? o.text.toLowerCase() : "";
    const found = page.jobs.filter((j) =>
      j.id.toLowerCase().includes(needle) || j.command.toLowerCase().includes(needle)
    ).slice(0, o.limit);
    return json({
      jobs: found.map(jobJson),
      next_cursor: page.next,
      search: {
        scanned: page.jobs.length,
        complete: page.next === null,
        partial: page.next !== null,
        by: "label",
      },
    });
  }
  const found = await searchJobs(ctx.store, {
    text: o.text,
    state: o.state,
    queue: o.queue,
    limit: o.limit,
    cursor: o.cursor,
    order: o.order,
    scan: SEARCH_SCAN,
    budgetMs: SEARCH_BUDGET_MS,
  });
  return json({
    jobs: found.jobs.map(jobJson),
    next_cursor: found.cursor,
    search: {
      scanned: found.scanned,
      complete: found.cursor === null,
      partial: found.cursor !== null,
      by: "id and command",
    },
  });
}

/** The job of the path's `:id`, or a 404. */
export async function jobOf(ctx: RouteContext): Promise<Job> {
  const id = ctx.params.id!;
  const job = await getJob(ctx.store, id);
  if (!job) throw new NotFoundError(`job ${JSON.stringify(id)} not found`);
  return job;
}

async function job(ctx: RouteContext): Promise<Response> {
  queryOf(ctx.url, []);
  const found = await jobOf(ctx);
  const history = await listAttempts(ctx.store, found.id);
  // Names only: the values are secrets, shown by `show ID --env` alone.
  const envNamesOf = await envNames(ctx.store, found.env ?? null);
  return json({ ...jobJson(found), env_names: envNamesOf, history: history.map(attemptJson) });
}

/**
 * An attempt's captured output as raw bytes (text/plain; the page shows it as text). From
 * `offset` on, so a page following a running attempt fetches only what is new. Headers say
 * which attempt it is, where the next read starts, and whether the attempt still runs.
 * `stream=merged` interleaves the two in the order the worker read them; while the attempt runs
 * it serves only the part whose order is known, so offsets stay valid from one read to the next.
 */
async function logs(ctx: RouteContext): Promise<Response> {
  const q = queryOf(ctx.url, ["stream", "attempt", "offset"]);
  const stream: OutputStream | "merged" = choiceParam("stream", q.get("stream"), [
    "stdout",
    "stderr",
    "merged",
  ]);
  const found = await jobOf(ctx);
  const n = intParam("attempt", q.get("attempt"), {
    min: 1,
    max: 1_000_000,
    fallback: found.runs,
  });
  const offset = intParam("offset", q.get("offset"), { min: 0, max: 2 ** 40, fallback: 0 });
  if (n > found.runs) {
    throw new NotFoundError(
      `job ${JSON.stringify(found.id)} has ${found.runs} attempt(s), not ${n}`,
    );
  }
  const headers = new Headers({ "Content-Type": "text/plain; charset=utf-8" });
  headers.set("X-Queuectl-Attempt", String(n));
  if (n === 0) {
    headers.set("X-Queuectl-Offset", "0");
    headers.set("X-Queuectl-Running", "false");
    return new Response(new Uint8Array(), { headers });
  }
  // Whether it runs is read before the output, so the read that says it ended holds every byte.
  const attempt = (await listAttempts(ctx.store, found.id)).find((a) => a.n === n);
  const running = !!attempt && attempt.finished_at === null;
  const chunks = stream === "merged"
    ? await readMergedOutput(ctx.store, found.id, n, { ended: !running })
    : await readOutput(ctx.store, found.id, n, { stream });
  const { body, total, streams } = logsBody(chunks, offset);
  // Which stream each stretch of a merged body came from, for the page to tint stderr.
  if (streams !== null) headers.set("X-Queuectl-Streams", streams);
  headers.set("X-Queuectl-Offset", String(total));
  headers.set("X-Queuectl-Running", String(running));
  headers.set("X-Queuectl-Truncated", String(!!attempt?.output?.truncated));
  return new Response(body, { headers });
}

async function workers(ctx: RouteContext): Promise<Response> {
  queryOf(ctx.url, []);
  return json((await listWorkers(ctx.store)).map((w) => workerView(w, ctx.now)));
}

/** The last-hour report, exactly as `queuectl metrics --json` prints it. */
async function metrics(ctx: RouteContext): Promise<Response> {
  queryOf(ctx.url, []);
  return json(await readMetrics(ctx.store, { now: ctx.now }));
}

/** The read routes. */
export const readRoutes: readonly Route[] = [
  { method: "GET", path: "/api/status", handle: status },
  { method: "GET", path: "/api/jobs", handle: jobs },
  { method: "GET", path: "/api/jobs/:id", handle: job },
  { method: "GET", path: "/api/jobs/:id/logs", handle: logs },
  { method: "GET", path: "/api/workers", handle: workers },
  { method: "GET", path: "/api/metrics", handle: metrics },
];
