import { deepStrictEqual as assertEquals, strictEqual } from "node:assert/strict";
import {
  checkInvariants,
  enqueueAndClaim,
  rawAttempt,
  rawJob,
  registerWorker,
  report,
  SETTINGS,
  spec,
  T0,
  tempStore,
} from "../../tests/factory.ts";
import { finishAttempt } from "./finish.ts";
import { recoverLost } from "./recover.ts";
import { noteUnwrittenResult } from "./unwritten_result.ts";

const NOTE =
  "result could not be written: database or disk is full (the command succeeded, exit 0)";

Deno.test("the real cause goes in front of a recovered attempt's error and the job's last error, once", async () => {
  await using store = await tempStore();
  await registerWorker(store, { id: "w1", heartbeat_at: T0 });
  await enqueueAndClaim(store, spec({ id: "a" }), { workerId: "w1" });
  const [lost] = await recoverLost(store, {
    now: T0 + 20_000,
    leaseMs: 10_000,
    settings: SETTINGS,
    host: "other-host",
    pidAlive: () => true,
  });
  strictEqual(lost?.reason, "worker lost: no heartbeat for 20s");
  const attempt = { id: "a", n: 1, worker: "w1" };
  strictEqual(await noteUnwrittenResult(store, attempt, NOTE), true);
  const error = `${NOTE}; then worker lost: no heartbeat for 20s`;
  const a = (await rawAttempt(store, "a", 1)).value!;
  assertEquals([a.outcome, a.error], ["worker_lost", error]);
  const job = (await rawJob(store, "a")).value!;
  assertEquals([job.state, job.last_error], ["failed", error]);
  // Said once: a second note (a retried write of the note) changes nothing.
  const before = await rawAttempt(store, "a", 1);
  strictEqual(await noteUnwrittenResult(store, attempt, NOTE), true);
  assertEquals(await rawAttempt(store, "a", 1), before);
  await checkInvariants(store);
});

Deno.test("no note on an attempt whose own result was written, or on another worker's", async () => {
  await using store = await tempStore();
  const c = await enqueueAndClaim(store, spec({ id: "a" }), { workerId: "w1" });
  await finishAttempt(store, c, report(), { now: T0 + 5, settings: SETTINGS });
  const before = [await rawAttempt(store, "a", 1), await rawJob(store, "a")];
  strictEqual(await noteUnwrittenResult(store, { id: "a", n: 1, worker: "w1" }, NOTE), false);
  strictEqual(await noteUnwrittenResult(store, { id: "a", n: 1, worker: "w2" }, NOTE), false);
  strictEqual(await noteUnwrittenResult(store, { id: "nope", n: 1, worker: "w1" }, NOTE), false);
  assertEquals([await rawAttempt(store, "a", 1), await rawJob(store, "a")], before);
});
