/**
 * The write side of the JSON API: enqueue (validated exactly as the CLI validates a spec),
 * retry (of any final job), cancel, delete, and the DLQ's retry-all and purge.
 *
 * @module
 */
import { jobJson } from "../json_view.ts";
import { parseJobSpecJson } from "../spec.ts";
import {
  cancelJob,
  deleteJob,
  enqueueJobs,
  enqueueUnique,
  purgeJobs,
  readConfig,
  retryAllDead,
  retryJob,
} from "../store/mod.ts";
import { jsonBody } from "./json_body.ts";
import { queryOf } from "./params.ts";
import { json } from "./response.ts";
import type { Route, RouteContext } from "./router.ts";

async function enqueue(ctx: RouteContext): Promise<Response> {
  queryOf(ctx.url, []);
  const spec = parseJobSpecJson(await jsonBody(ctx.req), { now: ctx.now });
  const config = await readConfig(ctx.store);
  const options = { now: ctx.now, maxRetries: config.max_retries };
  if (spec.unique_key !== undefined) {
    // 200 with the holder when its key is held: nothing was created.
    const { job, existing } = await enqueueUnique(ctx.store, spec, options);
    const where = { Location: `/api/jobs/${encodeURIComponent(job.id)}` };
    return json(jobJson(job), existing ? 200 : 201, where);
  }
  const [job] = await enqueueJobs(ctx.store, [spec], options);
  return json(jobJson(job!), 201, { Location: `/api/jobs/${encodeURIComponent(job!.id)}` });
}

async function retry(ctx: RouteContext): Promise<Response> {
  queryOf(ctx.url, []);
  // Any final job (completed, dead, canceled) re-runs, as `queuectl retry ID` does.
  return json(jobJson(await retryJob(ctx.store, ctx.params.id!, { now: ctx.now })));
}

async function cancel(ctx: RouteContext): Promise<Response> {
  queryOf(ctx.url, []);
  return json(jobJson(await cancelJob(ctx.store, ctx.params.id!, { now: ctx.now })));
}

async function remove(ctx: RouteContext): Promise<Response> {
  queryOf(ctx.url, []);
  await deleteJob(ctx.store, ctx.params.id!);
  return json({ deleted: ctx.params.id! });
}

async function retryAll(ctx: RouteContext): Promise<Response> {
  queryOf(ctx.url, []);
  return json({ requeued: await retryAllDead(ctx.store, { now: ctx.now }) });
}

async function purge(ctx: RouteContext): Promise<Response> {
  queryOf(ctx.url, []);
  return json({ purged: await purgeJobs(ctx.store, { state: "dead" }) });
}

/** The write routes. */
export const writeRoutes: readonly Route[] = [
  { method: "POST", path: "/api/jobs", handle: enqueue },
  { method: "POST", path: "/api/jobs/:id/retry", handle: retry },
  { method: "POST", path: "/api/jobs/:id/cancel", handle: cancel },
  { method: "DELETE", path: "/api/jobs/:id", handle: remove },
  { method: "POST", path: "/api/dlq/retry", handle: retryAll },
  { method: "POST", path: "/api/dlq/purge", handle: purge },
];
