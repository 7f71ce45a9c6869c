/**
 * Worker control from the dashboard: `POST /api/workers/start` (`{"count": N, "processes": P}`,
 * like `worker start --count N --processes P --detach` on the server's host) and
 * `POST /api/workers/stop` (`{"id": "w1"}` for one worker, `{"all": true}` for every one; a
 * graceful stop like `worker stop`). Both sit behind the same Host, Origin and token checks as
 * every write, and answer 403 unless the server was started with `--allow-worker-control`: the
 * web layer cannot start processes itself (it sits beside the worker layer, not above it), so
 * the CLI hands it a {@linkcode WorkerControl} only when the flag is given.
 *
 * @module
 */
import { defaultProcesses } from "../process_split.ts";
import { NotFoundError, UsageError } from "../errors.ts";
import { listWorkers } from "../store/mod.ts";
import { showValue } from "../suggest.ts";
import { HttpError } from "./http_status.ts";
import { jsonBody } from "./json_body.ts";
import { queryOf } from "./params.ts";
import { json } from "./response.ts";
import type { Route, RouteContext } from "./router.ts";
import type { WorkerControl } from "./worker_control.ts";

/** The most slots one start from the page asks for. */
export const MAX_START_COUNT = 64;

/** The 403 of a server started without the flag: the one line says how to turn it on. */
export const CONTROL_OFF =
  "worker control is off: start the dashboard with queuectl web --allow-worker-control";

function objectBody(text: string, shape: string): Record<string, unknown> {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new UsageError(`the request body must be JSON such as ${shape}`);
  }
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw new UsageError(`the request body must be an object such as ${shape}`);
  }
  return body as Record<string, unknown>;
}

function count(name: string, v: unknown, max: number): number {
  if (typeof v !== "number" || !Number.isInteger(v) || v < 1 || v > max) {
    throw new UsageError(`${name} must be an integer from 1 to ${max}, got ${showValue(v, 40)}`);
  }
  return v;
}

/**
 * Checks a start body (pure): `count` 1..64, `processes` 1..count (default ⌈count/16⌉, as the
 * CLI's).
 *
 * @example
 * ```ts
 * parseStart('{"count": 2, "processes": 2}'); // { count: 2, processes: 2 }
 * parseStart('{"count": 0}'); // throws UsageError
 * ```
 */
export function parseStart(text: string): { count: number; processes: number } {
  const shape = '{"count": 2, "processes": 2}';
  const body = objectBody(text, shape);
  for (const k of Object.keys(body)) {
    if (k !== "count" && k !== "processes") {
      throw new UsageError(`unknown field ${JSON.stringify(k)}; expected ${shape}`);
    }
  }
  const n = count("count", body.count, MAX_START_COUNT);
  const p = body.processes === undefined
    ? defaultProcesses(n)
    : count("processes", body.processes, n);
  return { count: n, processes: p };
}

/**
 * Checks a stop body (pure): one worker's id, or every worker.
 *
 * @example
 * ```ts
 * parseStop('{"all": true}'); // { all: true }
 * parseStop('{"id": "w1"}'); // { id: "w1" }
 * ```
 */
export function parseStop(text: string): { id: string } | { all: true } {
  const shape = '{"id": "<worker id>"} or {"all": true}';
  const body = objectBody(text, shape);
  const keys = Object.keys(body);
  if (keys.length === 1 && body.all === true) return { all: true };
  if (keys.length === 1 && typeof body.id === "string" && body.id.length > 0) {
    if (body.id.length > 200) throw new UsageError("id is too long to be a worker id");
    return { id: body.id };
  }
  throw new UsageError(`the request body must be ${shape}`);
}

function controlOf(ctx: RouteContext): WorkerControl {
  if (!ctx.workerControl) throw new HttpError(403, CONTROL_OFF);
  return ctx.workerControl;
}

async function start(ctx: RouteContext): Promise<Response> {
  queryOf(ctx.url, []);
  const control = controlOf(ctx);
  const { count, processes } = parseStart(await jsonBody(ctx.req));
  return json(await control.start(count, processes), 201);
}

async function stop(ctx: RouteContext): Promise<Response> {
  queryOf(ctx.url, []);
  const control = controlOf(ctx);
  const which = parseStop(await jsonBody(ctx.req));
  const workers = await listWorkers(ctx.store);
  let ids = workers.map((w) => w.id);
  if ("id" in which) {
    if (!ids.includes(which.id)) {
      throw new NotFoundError(`worker ${JSON.stringify(which.id)} is not registered`);
    }
    ids = [which.id];
  }
  return json({ stopping: await control.stop(ids) });
}

/** The worker control routes. */
export const workerRoutes: readonly Route[] = [
  { method: "POST", path: "/api/workers/start", handle: start },
  { method: "POST", path: "/api/workers/stop", handle: stop },
];
