import { deepStrictEqual as assertEquals, ok, strictEqual } from "node:assert/strict";
import {
  checkInvariants,
  counters,
  countsOf,
  enqueueAndClaim,
  rawAttempt,
  rawJob,
  registerWorker,
  SETTINGS,
  spec,
  T0,
  tempStore,
} from "../../tests/factory.ts";
import { cancelJob } from "./cancel.ts";
import { type LostRun, recoverLost, type RecoverOptions } from "./recover.ts";
import { putWorker, removeWorker } from "./workers.ts";

const LEASE = 10_000;

function options(now: number, overrides: Partial<RecoverOptions> = {}): RecoverOptions {
  return {
    now,
    leaseMs: LEASE,
    settings: SETTINGS,
    host: "recoverer-host",
    pidAlive: () => true,
    ...overrides,
  };
}

Deno.test("recoverLost counts the attempt of a worker whose lease lapsed as worker_lost and schedules the retry", async () => {
  await using store = await tempStore();
  await registerWorker(store, { id: "w1", host: "far-host", heartbeat_at: T0 });
  await enqueueAndClaim(store, spec({ id: "a" }), { workerId: "w1", now: T0 });
  const now = T0 + LEASE + 1;
  const recovered = await recoverLost(store, options(now));
  assertEquals(recovered.map((r) => r.reason), ["worker lost: no heartbeat for 10s"]);
  const job = (await rawJob(store, "a")).value!;
  assertEquals(
    [job.state, job.attempts, job.runs, job.run_at, job.last_error],
    ["failed", 1, 1, now + 2000, "worker lost: no heartbeat for 10s"],
  );
  assertEquals(recovered[0]!.job, job);
  const attempt = (await rawAttempt(store, "a", 1)).value!;
  assertEquals(
    [attempt.outcome, attempt.worker, attempt.finished_at, attempt.duration_ms, attempt.exit_code],
    ["worker_lost", "w1", now, LEASE + 1, null],
  );
  assertEquals(await counters(store), countsOf({ failed: 1 }));
  await checkInvariants(store);
});

Deno.test("recoverLost sends a lost job on its last attempt to the DLQ", async () => {
  await using store = await tempStore();
  await enqueueAndClaim(store, spec({ id: "a", max_retries: 0 }), { workerId: "gone" });
  const [r] = await recoverLost(store, options(T0 + 1));
  assertEquals([r?.job.state, r?.reason], ["dead", "worker lost: it is no longer registered"]);
  assertEquals(await counters(store), countsOf({ dead: 1 }));
  await checkInvariants(store);
});

Deno.test("a worker that keeps heartbeating keeps its job", async () => {
  await using store = await tempStore();
  const w = await registerWorker(store, { id: "w1", host: "far-host", heartbeat_at: T0 });
  const c = await enqueueAndClaim(store, spec({ id: "a" }), { workerId: "w1" });
  for (const beat of [T0 + 8_000, T0 + 16_000, T0 + 24_000]) {
    await putWorker(store, { ...w, heartbeat_at: beat });
    assertEquals(
      await recoverLost(store, options(beat + LEASE)),
      [],
      `lease still held at ${beat}`,
    );
  }
  assertEquals((await rawJob(store, "a")).value, c.job);
  await checkInvariants(store);
});

Deno.test("a same-host worker whose process exited loses its job before its lease lapses", async () => {
  await using store = await tempStore();
  await registerWorker(store, { id: "w1", host: "recoverer-host", pid: 111, heartbeat_at: T0 });
  await enqueueAndClaim(store, spec({ id: "a" }), { workerId: "w1" });
  const asked: number[] = [];
  const [r] = await recoverLost(
    store,
    options(T0 + 1, { pidAlive: (pid) => (asked.push(pid), false) }),
  );
  assertEquals([r?.job.state, r?.reason], ["failed", "worker lost: its process exited"]);
  assertEquals(asked, [111]);
  await checkInvariants(store);
});

Deno.test("the leftover processes of a dead same-host worker's run are killed before the retry is written, and the history says how many", async () => {
  await using store = await tempStore();
  await registerWorker(store, {
    id: "h:111:x",
    host: "recoverer-host",
    pid: 111,
    heartbeat_at: T0,
  });
  await enqueueAndClaim(store, spec({ id: "a" }), { workerId: "h:111:x" });
  const seen: { run: LostRun; state: string | undefined }[] = [];
  const [r] = await recoverLost(
    store,
    options(T0 + 1, {
      pidAlive: () => false,
      killOrphans: async (run) => {
        seen.push({ run, state: (await rawJob(store, "a")).value?.state });
        return 2;
      },
    }),
  );
  // When the kill ran, the job was still processing: no retry could start beside the orphans.
  assertEquals(seen, [{
    run: { worker: "h:111:x", job: "a", run: 1, pgid: null },
    state: "processing",
  }]);
  strictEqual(r?.orphans, 2);
  const attempt = (await rawAttempt(store, "a", 1)).value!;
  assertEquals([attempt.outcome, attempt.orphans_killed, attempt.error], [
    "worker_lost",
    2,
    "worker lost: its process exited; killed 2 leftover processes of the attempt",
  ]);
  strictEqual((await rawJob(store, "a")).value?.last_error, attempt.error);
  await checkInvariants(store);
});

Deno.test("a recoverer that loses the race still records the leftover processes it killed in the history", async () => {
  await using store = await tempStore();
  await registerWorker(store, {
    id: "h:111:x",
    host: "recoverer-host",
    pid: 111,
    heartbeat_at: T0,
  });
  await enqueueAndClaim(store, spec({ id: "a" }), { workerId: "h:111:x" });
  const dead = { pidAlive: () => false };
  const lost = await recoverLost(
    store,
    options(T0 + 1, {
      ...dead,
      // The other recoverer scans after this one has killed everything, and commits first.
      killOrphans: async () => {
        const [won] = await recoverLost(
          store,
          options(T0 + 1, { ...dead, killOrphans: () => Promise.resolve(0) }),
        );
        strictEqual(won?.orphans, 0);
        return 3;
      },
    }),
  );
  assertEquals(lost, []);
  const attempt = (await rawAttempt(store, "a", 1)).value!;
  assertEquals([attempt.outcome, attempt.orphans_killed, attempt.error], [
    "worker_lost",
    3,
    "worker lost: its process exited; killed 3 leftover processes of the attempt",
  ]);
  await checkInvariants(store);
});

Deno.test("a recoverer whose commit fails because the worker's entry was pruned meanwhile keeps its kill count for the recovery that closes the attempt", async () => {
  await using store = await tempStore();
  await registerWorker(store, {
    id: "recoverer-host:111:x",
    host: "recoverer-host",
    pid: 111,
    heartbeat_at: T0,
  });
  await enqueueAndClaim(store, spec({ id: "a" }), { workerId: "recoverer-host:111:x" });
  // The host's tally, as maintenance keeps it: what any recoverer killed, dropped once settled.
  let tally = 0;
  const settled: string[] = [];
  const shared = {
    pidAlive: () => false,
    settled: (run: LostRun) => {
      settled.push(run.job);
      tally = 0;
    },
  };
  const first = await recoverLost(
    store,
    options(T0 + 1, {
      ...shared,
      killOrphans: async () => {
        tally = 2;
        await removeWorker(store, "recoverer-host:111:x"); // Another worker prunes the dead entry meanwhile.
        return 2;
      },
    }),
  );
  assertEquals([first, settled, (await rawAttempt(store, "a", 1)).value?.finished_at], [
    [],
    [],
    null,
  ]);
  // The next look finds nothing left alive, but the tally still holds what was killed.
  const [r] = await recoverLost(
    store,
    options(T0 + 2, { ...shared, killOrphans: () => Promise.resolve(tally) }),
  );
  assertEquals([r?.orphans, settled], [2, ["a"]]);
  const attempt = (await rawAttempt(store, "a", 1)).value!;
  assertEquals([attempt.orphans_killed, attempt.error], [
    2,
    "worker lost: it is no longer registered; killed 2 leftover processes of the attempt",
  ]);
  await checkInvariants(store);
});

Deno.test("what a same-host run left to say (a result it could not write) goes in front of the reason, on another host it is not asked", async () => {
  await using store = await tempStore();
  await registerWorker(store, {
    id: "h:111:x",
    host: "recoverer-host",
    pid: 111,
    heartbeat_at: T0,
  });
  await registerWorker(store, { id: "far:1:y", host: "far-host", pid: 1, heartbeat_at: T0 });
  await enqueueAndClaim(store, spec({ id: "a" }), { workerId: "h:111:x" });
  await enqueueAndClaim(store, spec({ id: "b" }), { workerId: "far:1:y" });
  const asked: string[] = [];
  const recovered = await recoverLost(
    store,
    options(T0 + LEASE + 1, {
      pidAlive: () => false,
      lostCause: (run) => (asked.push(run.job), "result could not be written: disk full"),
    }),
  );
  assertEquals(asked, ["a"]);
  assertEquals(recovered.map((r) => [r.job.id, r.reason, r.run.worker]), [
    [
      "a",
      "result could not be written: disk full; then worker lost: its process exited",
      "h:111:x",
    ],
    ["b", "worker lost: no heartbeat for 10s", "far:1:y"],
  ]);
  strictEqual((await rawAttempt(store, "a", 1)).value?.error, recovered[0]!.reason);
  strictEqual((await rawJob(store, "a")).value?.last_error, recovered[0]!.reason);
});

Deno.test("an unregistered worker's run is judged by the host and pid in its id", async () => {
  await using store = await tempStore();
  await enqueueAndClaim(store, spec({ id: "a" }), { workerId: "recoverer-host:222:x" });
  const runs: LostRun[] = [];
  const asked: number[] = [];
  const [r] = await recoverLost(
    store,
    options(T0 + 1, {
      pidAlive: (pid) => (asked.push(pid), false),
      killOrphans: (run) => (runs.push(run), Promise.resolve(0)),
    }),
  );
  assertEquals([r?.reason, r?.orphans, asked], ["worker lost: it is no longer registered", 0, [
    222,
  ]]);
  assertEquals(runs.map((run) => run.worker), ["recoverer-host:222:x"]);
  strictEqual((await rawAttempt(store, "a", 1)).value?.orphans_killed, undefined);
});

Deno.test("a frozen same-host worker's run is killed only after the recovery commits, and the attempt then records it", async () => {
  await using store = await tempStore();
  await registerWorker(store, { id: "w1", host: "recoverer-host", pid: 111, heartbeat_at: T0 });
  await enqueueAndClaim(store, spec({ id: "a" }), { workerId: "w1" });
  const states: (string | undefined)[] = [];
  const [r] = await recoverLost(
    store,
    options(T0 + LEASE + 1, {
      pidAlive: () => true,
      killOrphans: async () => {
        states.push((await rawJob(store, "a")).value?.state);
        return 1;
      },
    }),
  );
  assertEquals([states, r?.orphans], [["failed"], 1]);
  const attempt = (await rawAttempt(store, "a", 1)).value!;
  assertEquals([attempt.orphans_killed, attempt.error], [
    1,
    "worker lost: no heartbeat for 10s; killed 1 leftover process of the attempt",
  ]);
  await checkInvariants(store);
});

Deno.test("the pid of a worker on another host is never consulted, only its lease", async () => {
  await using store = await tempStore();
  await registerWorker(store, { id: "w1", host: "far-host", pid: 111, heartbeat_at: T0 });
  await enqueueAndClaim(store, spec({ id: "a" }), { workerId: "w1" });
  const asked: number[] = [];
  const r = await recoverLost(
    store,
    options(T0 + 1, {
      pidAlive: (pid) => (asked.push(pid), false),
      killOrphans: () => Promise.reject(new Error("never on another host")),
    }),
  );
  assertEquals([r, asked], [[], []]);
  strictEqual((await rawJob(store, "a")).value?.state, "processing");
  await checkInvariants(store);
});

Deno.test("a heartbeat landing between the recoverer's read and its commit keeps the job with its worker", async () => {
  await using store = await tempStore();
  const w = await registerWorker(store, { id: "w1", host: "far-host", heartbeat_at: T0 });
  const c = await enqueueAndClaim(store, spec({ id: "a" }), { workerId: "w1" });
  const commit = store.db.commit.bind(store.db);
  let beats = 0;
  store.db.commit = async (tx) => {
    // The worker beats just before the recoverer's atomic operation is sent.
    if (beats++ === 0) await putWorker(store, { ...w, heartbeat_at: T0 + LEASE + 1 });
    return await commit(tx);
  };
  assertEquals(await recoverLost(store, options(T0 + LEASE + 1)), []);
  strictEqual(beats, 1);
  assertEquals((await rawJob(store, "a")).value, c.job);
  strictEqual((await rawAttempt(store, "a", 1)).value?.outcome, null);
  await checkInvariants(store);
});

Deno.test("a lost job whose cancel was requested is recorded as canceled", async () => {
  await using store = await tempStore();
  await enqueueAndClaim(store, spec({ id: "a" }), { workerId: "gone" });
  await cancelJob(store, "a", { now: T0 + 1 });
  const [r] = await recoverLost(store, options(T0 + 2));
  strictEqual(r?.job.state, "canceled");
  strictEqual((await rawAttempt(store, "a", 1)).value?.outcome, "canceled");
  await checkInvariants(store);
});

Deno.test("recoverLost handles more lost jobs than one read batch, each once", async () => {
  await using store = await tempStore({ spy: true });
  for (let i = 0; i < 12; i++) {
    await enqueueAndClaim(store, spec({ id: `j${i}` }), { workerId: `w${i % 3}`, now: T0 + i });
  }
  await registerWorker(store, { id: "w0", host: "far-host", heartbeat_at: T0 + 100 });
  const recovered = await recoverLost(store, options(T0 + 200));
  assertEquals(recovered.map((r) => r.job.id).sort(), [
    "j1",
    "j10",
    "j11",
    "j2",
    "j4",
    "j5",
    "j7",
    "j8",
  ]);
  ok(store.stats.getMany <= 10 && store.stats.checks <= 10);
  assertEquals(await recoverLost(store, options(T0 + 200)), []);
  assertEquals(await counters(store), countsOf({ processing: 4, failed: 8 }));
  await checkInvariants(store);
});

Deno.test("recoverLost never takes the recoverer's own runs (its slots hold them), even past their lease", async () => {
  await using store = await tempStore();
  await registerWorker(store, { id: "w1", host: "far-host", heartbeat_at: T0 });
  await enqueueAndClaim(store, spec({ id: "a" }), { workerId: "w1", now: T0 });
  await enqueueAndClaim(store, spec({ id: "b" }), { workerId: "gone", now: T0 });
  const recovered = await recoverLost(store, options(T0 + LEASE + 1, { self: "w1" }));
  assertEquals(recovered.map((r) => r.job.id), ["b"]);
  strictEqual((await rawJob(store, "a")).value?.state, "processing");
});
