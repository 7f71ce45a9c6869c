import { deepEqual, equal, throws } from "node:assert/strict";
import {
  type Cadence,
  latestTick,
  loadCron,
  MAX_TICKS_PER_OP,
  nextTick,
  planTicks,
  resumeAt,
  SCHEDULE_NAME_PATTERN,
  tickId,
} from "./schedule.ts";
import { assertScheduleName, parseCadence } from "./schedule_input.ts";
import { assertQueueName } from "./queue.ts";
import { UsageError } from "./errors.ts";
import { JOB_ID_PATTERN } from "./ids.ts";

await loadCron();

const at = (iso: string) => Date.parse(iso);
const isoOf = (ms: number | null) => ms === null ? null : new Date(ms).toISOString();
const cron = (expr: string, tz = "UTC"): Cadence => ({ cron: expr, every_ms: null, tz });
const every = (ms: number): Cadence => ({ cron: null, every_ms: ms, tz: "UTC" });

Deno.test("a cron in Berlin keeps its wall-clock hour across the spring DST change", () => {
  const nine = cron("0 9 * * *", "Europe/Berlin");
  // 09:00 CET is 08:00 UTC; from 29 March 2026 09:00 CEST is 07:00 UTC.
  equal(isoOf(nextTick(nine, at("2026-03-28T00:00:00Z"))), "2026-03-28T08:00:00.000Z");
  equal(isoOf(nextTick(nine, at("2026-03-28T08:00:00Z"))), "2026-03-29T07:00:00.000Z");
  equal(isoOf(latestTick(nine, at("2026-03-29T12:00:00Z"))), "2026-03-29T07:00:00.000Z");
});

Deno.test("an hourly cron in Berlin ticks on both 02:30s of the autumn DST change, once each", () => {
  const half = cron("30 * * * *", "Europe/Berlin");
  const ticks: string[] = [];
  let t = at("2026-10-24T23:00:00Z");
  for (let i = 0; i < 4; i++) {
    t = nextTick(half, t)!;
    ticks.push(isoOf(t)!);
  }
  // 01:30 CEST, 02:30 CEST, 02:30 CET, 03:30 CET: distinct UTC instants, so distinct job ids.
  deepEqual(ticks, [
    "2026-10-24T23:30:00.000Z",
    "2026-10-25T00:30:00.000Z",
    "2026-10-25T01:30:00.000Z",
    "2026-10-25T02:30:00.000Z",
  ]);
});

Deno.test("a cron with a seconds field ticks every second, and the latest tick includes now", () => {
  const s = cron("* * * * * *");
  equal(nextTick(s, at("2026-01-01T00:00:05Z")), at("2026-01-01T00:00:06Z"));
  equal(latestTick(s, at("2026-01-01T00:00:05Z")), at("2026-01-01T00:00:05Z"));
  equal(latestTick(s, at("2026-01-01T00:00:05.999Z")), at("2026-01-01T00:00:05Z"));
  equal(latestTick(cron("*/5 * * * *"), at("2026-01-01T00:07:00Z")), at("2026-01-01T00:05:00Z"));
});

Deno.test("every is aligned on the epoch: the next tick is strictly after, the latest at or before", () => {
  equal(nextTick(every(10_000), 25_000), 30_000);
  equal(nextTick(every(10_000), 30_000), 40_000);
  equal(latestTick(every(10_000), 30_000), 30_000);
  equal(latestTick(every(10_000), 39_999), 30_000);
});

Deno.test("a tick's job id is the name, a colon and the UTC time to the second", () => {
  equal(tickId("tick", at("2026-12-05T10:05:00Z")), "tick:20261205T100500Z");
  const longest = tickId("x".repeat(64), at("2026-12-05T10:05:00Z"));
  equal(JOB_ID_PATTERN.test(longest), true);
});

Deno.test("nothing fires before next_at, and a tick fires at exactly next_at", () => {
  const s = { ...every(1000), catch_up: false, next_at: 5000 };
  deepEqual(planTicks(s, 4999), { fire: [], nextAt: 5000 });
  deepEqual(planTicks(s, 5000), { fire: [5000], nextAt: 6000 });
  deepEqual(planTicks({ ...s, next_at: null }, 9000), { fire: [], nextAt: null });
});

Deno.test("after downtime only the latest missed tick fires by default", () => {
  const s = { ...cron("*/5 * * * *"), catch_up: false, next_at: at("2026-01-01T00:05:00Z") };
  const plan = planTicks(s, at("2026-01-01T03:07:00Z"));
  deepEqual(plan.fire.map(isoOf), ["2026-01-01T03:05:00.000Z"]);
  equal(isoOf(plan.nextAt), "2026-01-01T03:10:00.000Z");
});

Deno.test("with catch-up every missed tick fires, a bounded number per call, the rest next call", () => {
  const s = { ...every(1000), catch_up: true, next_at: 1000 };
  const first = planTicks(s, 20_500);
  equal(first.fire.length, MAX_TICKS_PER_OP);
  deepEqual(first.fire, [1000, 2000, 3000, 4000, 5000, 6000, 7000, 8000]);
  equal(first.nextAt, 9000); // Still due: the next call goes on from here.
  const fired = [...first.fire];
  let next: number | null = first.nextAt;
  while (next !== null && next <= 20_500) {
    const plan = planTicks({ ...s, next_at: next }, 20_500);
    fired.push(...plan.fire);
    next = plan.nextAt;
  }
  deepEqual(fired, Array.from({ length: 20 }, (_, i) => (i + 1) * 1000));
  equal(next, 21_000);
});

Deno.test("resume starts from now, or with catch-up from the last tick that fired", () => {
  const s = { ...every(1000), catch_up: false, last_at: 2000, created_at: 0 };
  equal(resumeAt(s, 9500), 10_000);
  equal(resumeAt({ ...s, catch_up: true }, 9500), 3000);
  equal(resumeAt({ ...s, catch_up: true, last_at: null, created_at: 1500 }, 9500), 2000);
});

Deno.test("schedule add's cadence: --cron with --tz, or --every in whole seconds", () => {
  deepEqual(parseCadence({ every: "10m" }, 0), {
    cadence: { cron: null, every_ms: 600_000, tz: "UTC" },
    first: 600_000,
  });
  const berlin = parseCadence(
    { cron: "0  9 * * *", tz: "Europe/Berlin" },
    at("2026-03-28T00:00:00Z"),
  );
  deepEqual(berlin.cadence, { cron: "0 9 * * *", every_ms: null, tz: "Europe/Berlin" });
  equal(isoOf(berlin.first), "2026-03-28T08:00:00.000Z");
});

Deno.test("bad cadences are one-line usage errors that name the option", () => {
  const bad: [Parameters<typeof parseCadence>[0], RegExp][] = [
    [{ cron: "nope" }, /--cron "nope": expected 5 fields/],
    [{ cron: "61 * * * *" }, /--cron "61 \* \* \* \*": .*minute/],
    [{ cron: "0 0 30 2 *" }, /never fires/],
    [{ cron: "* * * * *", tz: "Mars/Base" }, /--tz .*"Mars\/Base"/],
    [{ every: "0s" }, /--every must be a whole number of seconds/],
    [{ every: "1500ms" }, /--every must be a whole number of seconds/],
    [{ every: "soon" }, /--every/],
    [{ every: "1s", cron: "* * * * *" }, /--cron or --every, not both/],
    [{ every: "1s", tz: "UTC" }, /--tz applies to --cron only/],
    [{}, /needs --cron EXPR or --every DURATION/],
  ];
  for (const [flags, pattern] of bad) {
    throws(() => parseCadence(flags, 0), (err: Error) => {
      equal(err instanceof UsageError, true, JSON.stringify(flags));
      equal(err.message.includes("\n"), false);
      return pattern.test(err.message);
    }, JSON.stringify(flags));
  }
});

Deno.test("schedule and queue names are 1-64 of A-Z a-z 0-9 . _ -", () => {
  equal(assertScheduleName("nightly-backup.v2_x"), "nightly-backup.v2_x");
  equal(assertQueueName("emails"), "emails");
  for (const name of ["", "a:b", "a b", "..", ".", "x".repeat(65), "é"]) {
    equal(SCHEDULE_NAME_PATTERN.test(name), false, name);
    throws(() => assertScheduleName(name), UsageError);
  }
  throws(() => assertQueueName("a/b"), UsageError);
});
