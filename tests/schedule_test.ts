/**
 * Recurring schedules through the real CLI, real workers and a real KV file: each tick of a
 * schedule due every second is enqueued exactly once while 4 workers on 2 "hosts" look for it,
 * and bad input is refused with one line, writing nothing.
 *
 * @module
 */
import { deepEqual, equal, ok } from "node:assert/strict";
import {
  assertOneLineError,
  cli,
  cliOk,
  createDb,
  startWorkers,
  storeOf,
  type TempDb,
  tempDb,
  waitFor,
} from "./helpers.ts";
import { keys } from "../src/store/keys.ts";

// deno-lint-ignore no-explicit-any
type Json = Record<string, any>;

const TICK_ID = /^[A-Za-z0-9._-]+:(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/;

function onHost(db: TempDb, host: string): TempDb {
  return { ...db, env: { ...db.env, QUEUECTL_HOSTNAME: host } };
}

async function schedules(db: TempDb): Promise<Json[]> {
  return JSON.parse(await cliOk(db, ["schedule", "list", "--json"]));
}

/** Every job id the queue holds, from `list --all --json` (NDJSON). */
async function allJobIds(db: TempDb): Promise<string[]> {
  const text = await cliOk(db, ["list", "--all", "--json"]);
  return text.split("\n").filter((l) => l !== "").map((l) => JSON.parse(l).id as string);
}

function tickTime(id: string): number {
  const m = TICK_ID.exec(id);
  ok(m, `not a tick id: ${id}`);
  const [, y, mo, d, h, mi, s] = m.map(Number) as number[];
  return Date.UTC(y!, mo! - 1, d!, h!, mi!, s!);
}

Deno.test({
  name:
    "a schedule due every second is enqueued exactly once per tick by 4 workers on 2 hosts for 20 s",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    await using db = await tempDb();
    await cliOk(db, ["schedule", "add", "tick", "--every", "1s", "--command", "true"]);
    const hostA = startWorkers(onHost(db, "host-a"), 2);
    const hostB = startWorkers(onHost(db, "host-b"), 2);
    try {
      const first = await waitFor(async () => (await schedules(db))[0]!.last_run as string | null, {
        what: "the first tick",
      });
      const until = Date.parse(first) + 20_000;
      await waitFor(async () => {
        const last = (await schedules(db))[0]!.last_run;
        return last !== null && Date.parse(last) >= until;
      }, { what: "20 s of ticks", timeoutMs: 40_000, intervalMs: 500 });
    } finally {
      equal(await hostA.stop(), 0);
      equal(await hostB.stop(), 0);
    }
    const ids = (await allJobIds(db)).filter((id) => id.startsWith("tick:"));
    const times = ids.map(tickTime).sort((a, b) => a - b);
    ok(times.length >= 21, `expected at least 21 ticks, got ${times.length}`);
    const expected = times.map((_, i) => times[0]! + i * 1000);
    deepEqual(times, expected, "ticks missing in the middle, or one enqueued twice");
    const counts = JSON.parse(await cliOk(db, ["status", "--json"])).counts as Json;
    const total = Object.values(counts).reduce((a: number, b) => a + (b as number), 0);
    equal(total, ids.length, "the counters count each tick's job once");
    // Indexes and counters agree with the job records, and the schedule has its next tick.
    await cliOk(db, ["doctor"]);
  },
});

Deno.test("schedule add, list, show, pause, resume and remove through the CLI", async () => {
  await using db = await tempDb();
  const added = JSON.parse(
    await cliOk(db, [
      "schedule",
      "add",
      "nightly",
      "--cron",
      "0 3 * * *",
      "--tz",
      "Europe/Berlin",
      "--command",
      "make backup",
      "--queue",
      "ops",
      "--priority",
      "5",
      "--max-retries",
      "2",
      "--timeout",
      "10m",
      "--label",
      "team=ops",
      "--json",
    ]),
  );
  equal(added.name, "nightly");
  equal(added.cron, "0 3 * * *");
  equal(added.tz, "Europe/Berlin");
  equal(added.queue, "ops");
  equal(added.priority, 5);
  equal(added.max_retries, 2);
  equal(added.timeout, 600);
  deepEqual(added.labels, { team: "ops" });
  equal(added.paused, false);
  // 03:00 in Berlin is 01:00 or 02:00 UTC, whichever the date's offset.
  ok(/T0[12]:00:00\.000Z$/.test(added.next_run), added.next_run);
  const listed = await schedules(db);
  deepEqual(listed, [added]);
  const text = await cliOk(db, ["schedule", "list"]);
  ok(/^NAME\s+SCHEDULE\s+NEXT RUN\s+LAST RUN\s+PAUSED\s+COMMAND/.test(text), text);
  ok(text.includes("cron 0 3 * * * (Europe/Berlin)"), text);
  ok((await cliOk(db, ["schedule", "show", "nightly"])).includes("queue:       ops"));
  equal((await cliOk(db, ["schedule", "pause", "nightly"])).trim(), "schedule nightly paused");
  const paused = JSON.parse(await cliOk(db, ["schedule", "show", "nightly", "--json"]));
  equal(paused.paused, true);
  equal(paused.next_run, null);
  ok((await cliOk(db, ["schedule", "resume", "nightly"])).startsWith("schedule nightly resumed"));
  equal(JSON.parse(await cliOk(db, ["schedule", "show", "nightly", "--json"])).paused, false);
  equal((await cliOk(db, ["schedule", "remove", "nightly"])).trim(), "schedule nightly removed");
  deepEqual(await schedules(db), []);
});

Deno.test("bad schedule input is one line on stderr, exit 2, and writes nothing", async () => {
  await using db = await tempDb();
  const add = (...args: string[]) => cli(db, ["schedule", "add", ...args]);
  const cases: [string[], RegExp][] = [
    [["s", "--cron", "not a cron", "--command", "true"], /invalid --cron "not a cron"/],
    [["s", "--cron", "61 * * * *", "--command", "true"], /invalid --cron .*minute/],
    [["s", "--cron", "* * * * *", "--tz", "Mars/Base", "--command", "true"], /--tz .*Mars\/Base/],
    [["s", "--every", "0s", "--command", "true"], /--every must be a whole number of seconds/],
    [["s", "--cron", "* * * * *", "--every", "1m", "--command", "true"], /not both/],
    [["s", "--command", "true"], /needs --cron EXPR or --every DURATION/],
    [["bad:name", "--every", "1s", "--command", "true"], /schedule name must be/],
    [["s", "--every", "1s"], /needs --command/],
    [["s", "--every", "1s", "--command", "true", "--queue", "a/b"], /queue name must be/],
    [["s", "--every", "1s", "--command", "true", "--priority", "5000"], /priority/],
  ];
  for (const [args, pattern] of cases) {
    assertOneLineError(await add(...args), 2, pattern, args.join(" "));
  }
  // Nothing was written: not even the database was created.
  equal(await Deno.stat(db.path).then(() => true, () => false), false);
  await createDb(db);
  deepEqual(await schedules(db), []);
});

Deno.test("a duplicate schedule name exits 1 and leaves the first one as it was", async () => {
  await using db = await tempDb();
  await cliOk(db, ["schedule", "add", "s", "--every", "1h", "--command", "echo first"]);
  assertOneLineError(
    await cli(db, ["schedule", "add", "s", "--every", "1m", "--command", "echo second"]),
    1,
    /schedule s already exists/,
  );
  const [s] = await schedules(db);
  equal(s!.command, "echo first");
  equal(s!.every, "1h");
});

Deno.test("show, pause, resume and remove of an unknown schedule exit 1: no schedule NAME", async () => {
  await using db = await tempDb();
  await createDb(db);
  for (const verb of ["show", "pause", "resume", "remove"]) {
    assertOneLineError(await cli(db, ["schedule", verb, "nope"]), 1, /no schedule nope$/, verb);
  }
  assertOneLineError(await cli(db, ["schedule", "show", "a:b"]), 2, /schedule name must be/);
});

Deno.test("doctor reports a schedule that lost its next tick, and doctor --repair gives it back", async () => {
  await using db = await tempDb();
  await cliOk(db, ["schedule", "add", "hourly", "--every", "1h", "--command", "true"]);
  const [s] = await schedules(db);
  {
    await using store = await storeOf(db);
    await store.db.kv.delete(keys.scheduleDue(Date.parse(s!.next_run), "hourly"));
  }
  const broken = await cli(db, ["doctor"]);
  equal(broken.code, 1);
  ok(/schedule_no_tick: schedule hourly is not paused/.test(broken.stdout), broken.stdout);
  const fixed = await cli(db, ["doctor", "--repair"]);
  equal(fixed.code, 0, fixed.stdout + fixed.stderr);
  ok(fixed.stdout.includes("checked 0 job(s): 0 violation(s)"), fixed.stdout);
});

Deno.test({
  name:
    "after downtime a schedule runs once for the latest missed tick, and with --catch-up for each",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    await using db = await tempDb();
    await cliOk(db, ["schedule", "add", "once", "--every", "1s", "--command", "true"]);
    await cliOk(db, ["schedule", "add", "all", "--every", "1s", "--catch-up", "--command", "true"]);
    const firstTick = Date.parse((await schedules(db))[0]!.next_run);
    // No worker is up while at least three ticks pass.
    await waitFor(() => Date.now() >= firstTick + 3_000, { what: "three missed ticks" });
    const workers = startWorkers(db, 1);
    try {
      await waitFor(async () => (await schedules(db)).every((s) => s.last_run !== null), {
        what: "both schedules to fire",
      });
    } finally {
      equal(await workers.stop(), 0);
    }
    const ids = await allJobIds(db);
    const times = (name: string) =>
      ids.filter((id) => id.startsWith(`${name}:`)).map(tickTime)
        .sort((a, b) => a - b);
    const once = times("once");
    const all = times("all");
    // The missed ticks before the latest are not run, however many there were...
    ok(once[0]! >= firstTick + 3_000, `the first run is the latest missed tick: ${once}`);
    // ...unless the schedule catches up: then every tick from the first one on runs.
    equal(all[0], firstTick);
    deepEqual(all, all.map((_, i) => firstTick + i * 1000));
    ok(all.length >= 4);
  },
});
