/**
 * The read side of the JSON API: status, job pages and search (`api_jobs.ts`), one job with its
 * history, its captured output, and the workers. Jobs use the CLI's `--json` form
 * (`src/json_view.ts`).
 *
 * @module
 */
import { NotFoundError } from "../errors.ts";
import type { Job } from "../job.ts";
import { attemptJson, jobJson, workerJson } from "../json_view.ts";
import {
  countJobs,
  envNames,
  getJob,
  listAttempts,
  listWorkers,
  readMergedOutput,
  readMetrics,
  readOutput,
  type WorkerRecord,
} from "../store/mod.ts";
import { listJobsRoute } from "./api_jobs.ts";
import { logsBody } from "./logs_body.ts";
import { attemptParam, intParam, outputStreamParam, queryOf } from "./params.ts";
import { json } from "./response.ts";
import type { Route, RouteContext } from "./router.ts";

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
  const stream = outputStreamParam(q);
  const found = await jobOf(ctx);
  const n = attemptParam(q, found.runs);
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
  { method: "GET", path: "/api/jobs", handle: listJobsRoute },
  { method: "GET", path: "/api/jobs/:id", handle: job },
  { method: "GET", path: "/api/jobs/:id/logs", handle: logs },
  { method: "GET", path: "/api/workers", handle: workers },
  { method: "GET", path: "/api/metrics", handle: metrics },
];
