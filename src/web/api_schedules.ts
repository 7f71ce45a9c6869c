/**
 * The recurring schedules in the JSON API: `GET /api/schedules` (exactly `schedule list
 * --json`), `GET /api/schedules/:name` (`schedule show --json`), and pausing and resuming one
 * (`POST /api/schedules/:name/pause|resume`), which pass the same token and Origin checks as
 * every other write. Adding and removing stay on the CLI.
 *
 * @module
 */
import { assertScheduleName } from "../schedule_input.ts";
import { scheduleJson } from "../schedule_json.ts";
import { getSchedule, listSchedules, pauseSchedule, resumeSchedule } from "../store/schedules.ts";
import { queryOf } from "./params.ts";
import { json } from "./response.ts";
import type { Route, RouteContext } from "./router.ts";

async function list(ctx: RouteContext): Promise<Response> {
  queryOf(ctx.url, []);
  return json((await listSchedules(ctx.store)).map(scheduleJson));
}

async function show(ctx: RouteContext): Promise<Response> {
  queryOf(ctx.url, []);
  const name = assertScheduleName(ctx.params.name!);
  return json(scheduleJson(await getSchedule(ctx.store, name)));
}

async function pause(ctx: RouteContext): Promise<Response> {
  queryOf(ctx.url, []);
  const name = assertScheduleName(ctx.params.name!);
  return json(scheduleJson(await pauseSchedule(ctx.store, name, { now: ctx.now })));
}

async function resume(ctx: RouteContext): Promise<Response> {
  queryOf(ctx.url, []);
  const name = assertScheduleName(ctx.params.name!);
  return json(scheduleJson(await resumeSchedule(ctx.store, name, { now: ctx.now })));
}

/** The schedule routes. */
export const scheduleRoutes: readonly Route[] = [
  { method: "GET", path: "/api/schedules", handle: list },
  { method: "GET", path: "/api/schedules/:name", handle: show },
  { method: "POST", path: "/api/schedules/:name/pause", handle: pause },
  { method: "POST", path: "/api/schedules/:name/resume", handle: resume },
];
