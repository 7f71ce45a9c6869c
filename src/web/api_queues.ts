/**
 * The queues in the JSON API: `GET /api/queues` (what `queue list --json` prints),
 * `POST /api/queues/:name/pause` and `/resume`, and `POST /api/queues/:name/settings` (what
 * `queue set` does), each write behind the same Origin and token checks as every write, which
 * the handler applies to each POST.
 *
 * @module
 */
import { UsageError } from "../errors.ts";
import { queueJson } from "../json_view.ts";
import { assertQueueName, parseConcurrency, parseRate, type QueueSettings } from "../queue.ts";
import { listQueues, updateQueue } from "../store/mod.ts";
import { showValue } from "../suggest.ts";
import { jsonBody } from "./json_body.ts";
import { queryOf } from "./params.ts";
import { json } from "./response.ts";
import type { Route, RouteContext } from "./router.ts";

async function queues(ctx: RouteContext): Promise<Response> {
  queryOf(ctx.url, []);
  return json((await listQueues(ctx.store)).map(queueJson));
}

/** The queue as `GET /api/queues` shows it, after a change. */
async function answer(ctx: RouteContext, name: string): Promise<Response> {
  const found = (await listQueues(ctx.store)).find((q) => q.settings.name === name)!;
  return json(queueJson(found));
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
    return answer(ctx, name);
  };
}

/** The changes a settings body asks for; a field left out stays as it is. */
type SettingsChange = Partial<Pick<QueueSettings, "concurrency" | "rate">>;

const SETTINGS_SHAPE = 'a JSON object such as {"concurrency": 2, "rate": "10/1m"}';

/**
 * Reads `{concurrency: number|null, rate: "N/DURATION"|null}` (either may be left out, not both)
 * with the pure functions `queue set` uses, so the API and the CLI accept the same values; the
 * error names the JSON field rather than the CLI's flag.
 */
function parseSettings(text: string): SettingsChange {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new UsageError(`the settings must be ${SETTINGS_SHAPE}`);
  }
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw new UsageError(`the settings must be ${SETTINGS_SHAPE}, got ${showValue(body, 40)}`);
  }
  const fields = body as Record<string, unknown>;
  for (const key of Object.keys(fields)) {
    if (key !== "concurrency" && key !== "rate") {
      throw new UsageError(
        `unknown setting ${JSON.stringify(key)}: a queue has concurrency and rate`,
      );
    }
  }
  if (!("concurrency" in fields) && !("rate" in fields)) {
    throw new UsageError(`the settings must give concurrency and/or rate: ${SETTINGS_SHAPE}`);
  }
  const change: SettingsChange = {};
  try {
    if ("concurrency" in fields) change.concurrency = concurrencyOf(fields.concurrency);
    if ("rate" in fields) change.rate = rateOf(fields.rate);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    throw new UsageError(err.message.replace(/--(concurrency|rate)/g, "$1"));
  }
  return change;
}

function concurrencyOf(value: unknown): number | null {
  if (value === null) return null;
  if (typeof value !== "number") {
    throw new UsageError(`concurrency must be a whole number or null, got ${showValue(value, 40)}`);
  }
  return parseConcurrency(String(value));
}

function rateOf(value: unknown): QueueSettings["rate"] {
  if (value === null) return null;
  if (typeof value !== "string") {
    throw new UsageError(
      `rate must be "N/DURATION" such as "10/1m", or null, got ${showValue(value, 40)}`,
    );
  }
  return parseRate(value);
}

/** Sets the path's queue's limit and rate, as `queue set` does; the queue must exist. */
async function settings(ctx: RouteContext): Promise<Response> {
  queryOf(ctx.url, []);
  const name = assertQueueName(ctx.params.name);
  // Read in full before anything is written: bad input writes nothing.
  const change = parseSettings(await jsonBody(ctx.req));
  await updateQueue(ctx.store, name, (s) => ({ ...s, ...change }), {
    now: ctx.now,
    mustExist: true,
  });
  return answer(ctx, name);
}

/** The queue routes. */
export const queueRoutes: readonly Route[] = [
  { method: "GET", path: "/api/queues", handle: queues },
  { method: "POST", path: "/api/queues/:name/pause", handle: pauseRoute(true) },
  { method: "POST", path: "/api/queues/:name/resume", handle: pauseRoute(false) },
  { method: "POST", path: "/api/queues/:name/settings", handle: settings },
];
