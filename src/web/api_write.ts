/**
 * The write side of the JSON API: enqueue (validated exactly as the CLI validates a spec),
 * retry, cancel, delete, and the DLQ's retry-all and purge.
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
  retryDead,
} from "../store/mod.ts";
import { decodeUtf8 } from "../utf8.ts";
import { HttpError } from "./http_status.ts";
import { queryOf } from "./params.ts";
import { json } from "./response.ts";
import type { Route, RouteContext } from "./router.ts";

/** The largest request body accepted: a spec's command is at most 32 KiB. */
export const MAX_BODY_BYTES = 64 * 1024;

/**
 * Reads a JSON request body as text, refusing other types (415), oversized bodies (413) and
 * bytes that are not UTF-8 (400, naming the first one's offset): a lossy decoder would store a
 * command other than the one sent.
 */
async function jsonBody(req: Request): Promise<string> {
  const type = (req.headers.get("content-type") ?? "").split(";")[0]!.trim().toLowerCase();
  if (type !== "application/json") {
    throw new HttpError(415, `expected Content-Type application/json, got ${JSON.stringify(type)}`);
  }
  const declared = Number(req.headers.get("content-length") ?? "0");
  if (declared > MAX_BODY_BYTES) throw tooLarge();
  if (!req.body) return "";
  const reader = req.body.getReader();
  const parts: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > MAX_BODY_BYTES) {
      await reader.cancel();
      throw tooLarge();
    }
    parts.push(value);
  }
  const all = new Uint8Array(size);
  let at = 0;
  for (const p of parts) {
    all.set(p, at);
    at += p.byteLength;
  }
  return decodeUtf8(all, "the request body");
}

function tooLarge(): HttpError {
  return new HttpError(413, `request body is larger than ${MAX_BODY_BYTES} bytes`);
}

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
  return json(jobJson(await retryDead(ctx.store, ctx.params.id!, { now: ctx.now })));
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
