/**
 * The queues in the JSON API: `GET /api/queues` (what `queue list --json` prints) and
 * `POST /api/queues/:name/pause` and `/resume` (behind the same Origin and token checks as
 * every write, which the handler applies to each POST).
 *
 * @module
 */
import { queueJson } from "../json_view.ts";
import { assertQueueName } from "../queue.ts";
import { listQueues, updateQueue } from "../store/mod.ts";
import { queryOf } from "./params.ts";
import { json } from "./response.ts";
import type { Route, RouteContext } from "./router.ts";

async function queues(ctx: RouteContext): Promise<Response> {
  queryOf(ctx.url, []);
  return json((await listQueues(ctx.store)).map(queueJson));
}

/** Pauses or resumes the path's queue; answers with the queue as `GET /api/queues` shows it. */
function pauseRoute(paused: boolean): (ctx: RouteContext) => Promise<Response> {
  return async (ctx) => {
    queryOf(ctx.url, []);
    const name = assertQueueName(ctx.params.name);
    await updateQueue(ctx.store, name, (s) => ({ ...s, paused }), {
      now: ctx.now,
      mustExist: true,
    });
    const found = (await listQueues(ctx.store)).find((q) => q.settings.name === name)!;
    return json(queueJson(found));
  };
}

/** The queue routes. */
export const queueRoutes: readonly Route[] = [
  { method: "GET", path: "/api/queues", handle: queues },
  { method: "POST", path: "/api/queues/:name/pause", handle: pauseRoute(true) },
  { method: "POST", path: "/api/queues/:name/resume", handle: pauseRoute(false) },
];
