import { deepStrictEqual, equal, match } from "node:assert/strict";
import { T0 } from "../../tests/factory.ts";
import { errorOf, get, jsonOf, post, webFixture } from "../../tests/web_fixture.ts";
import type { Schedule } from "../schedule.ts";
import { scheduleJson } from "../schedule_json.ts";
import { addSchedule, getSchedule } from "../store/schedules.ts";

const nightly: Schedule = {
  name: "nightly",
  cron: "0 3 * * *",
  every_ms: null,
  tz: "Europe/Berlin",
  catch_up: false,
  paused: false,
  spec: {
    command: "make backup",
    queue: "ops",
    priority: 0,
    max_retries: null,
    timeout: null,
    cwd: "/srv",
  },
  next_at: T0 + 7_200_000,
  last_at: null,
  last_job: null,
  created_at: T0,
  updated_at: T0,
};

Deno.test("GET /api/schedules answers what schedule list --json prints, and one by name", async () => {
  await using web = await webFixture();
  deepStrictEqual(await jsonOf(await web.handle(get("/api/schedules")), 200), []);
  await addSchedule(web.store, nightly);
  const all = await jsonOf(await web.handle(get("/api/schedules")), 200);
  deepStrictEqual(all, [scheduleJson(nightly)]);
  const one = await jsonOf(await web.handle(get("/api/schedules/nightly")), 200);
  deepStrictEqual(one, scheduleJson(nightly));
  match(await errorOf(await web.handle(get("/api/schedules/nope")), 404), /^no schedule nope$/);
  match(await errorOf(await web.handle(get("/api/schedules/a:b")), 400), /schedule name must/);
});

Deno.test("POST /api/schedules/:name/pause and /resume change it and answer it", async () => {
  await using web = await webFixture();
  await addSchedule(web.store, nightly);
  const paused = await jsonOf(await web.handle(post("/api/schedules/nightly/pause")), 200);
  equal(paused.paused, true);
  equal(paused.next_run, null);
  equal((await getSchedule(web.store, "nightly")).paused, true);
  const resumed = await jsonOf(await web.handle(post("/api/schedules/nightly/resume")), 200);
  equal(resumed.paused, false);
  equal(typeof resumed.next_run, "string");
  match(await errorOf(await web.handle(post("/api/schedules/nope/pause")), 404), /no schedule/);
});

Deno.test("pausing a schedule from another site, or without the token, is refused", async () => {
  await using web = await webFixture({ token: "s3cret-token-0123456789" });
  await addSchedule(web.store, nightly);
  const foreign = post("/api/schedules/nightly/pause", undefined, {
    headers: { Origin: "http://evil.example", Authorization: "Bearer s3cret-token-0123456789" },
  });
  equal((await web.handle(foreign)).status, 403);
  equal((await web.handle(post("/api/schedules/nightly/pause"))).status, 401);
  equal((await getSchedule(web.store, "nightly")).paused, false);
});
