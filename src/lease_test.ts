import { deepStrictEqual as assertEquals, strictEqual } from "node:assert/strict";
import { holdsRun, lostReason, workerAddress } from "./lease.ts";

const at = { now: 100_000, leaseMs: 10_000 };

Deno.test("lostReason: a holder with no registry entry is lost", () => {
  strictEqual(
    lostReason({ heartbeatAt: null, sameHost: false, pidAlive: null }, at),
    "worker lost: it is no longer registered",
  );
});

Deno.test("lostReason: a same-host holder whose pid is dead is lost even with a fresh heartbeat", () => {
  strictEqual(
    lostReason({ heartbeatAt: at.now, sameHost: true, pidAlive: false }, at),
    "worker lost: its process exited",
  );
});

Deno.test("lostReason: a holder silent for longer than the lease is lost", () => {
  strictEqual(
    lostReason({ heartbeatAt: at.now - 25_000, sameHost: false, pidAlive: null }, at),
    "worker lost: no heartbeat for 25s",
  );
  strictEqual(
    lostReason({ heartbeatAt: at.now - 10_001, sameHost: true, pidAlive: true }, at),
    "worker lost: no heartbeat for 10s",
    "a live pid does not save a holder whose lease lapsed",
  );
});

Deno.test("lostReason: a holder with a fresh heartbeat keeps its job", () => {
  strictEqual(lostReason({ heartbeatAt: at.now - 1, sameHost: false, pidAlive: null }, at), null);
  strictEqual(lostReason({ heartbeatAt: at.now, sameHost: true, pidAlive: true }, at), null);
  strictEqual(lostReason({ heartbeatAt: at.now, sameHost: true, pidAlive: null }, at), null);
});

Deno.test("lostReason: silence of exactly the lease is still within it", () => {
  strictEqual(
    lostReason({ heartbeatAt: at.now - 10_000, sameHost: false, pidAlive: null }, at),
    null,
  );
});

Deno.test("lostReason: another host's pid verdict is ignored", () => {
  strictEqual(lostReason({ heartbeatAt: at.now, sameHost: false, pidAlive: false }, at), null);
});

Deno.test("lostReason: a heartbeat from the future (clock skew) keeps the job", () => {
  strictEqual(
    lostReason({ heartbeatAt: at.now + 5_000, sameHost: false, pidAlive: null }, at),
    null,
  );
});

Deno.test("workerAddress reads host and pid from a worker id, and nothing from another shape", () => {
  assertEquals(workerAddress("build-7:4242:k3x9"), { host: "build-7", pid: 4242 });
  assertEquals(workerAddress("a:b:1:zz"), { host: "a:b", pid: 1 });
  assertEquals([workerAddress("gone"), workerAddress("h:x:1")], [null, null]);
});

Deno.test("holdsRun: only a processing record under the same worker and run number still holds the run", () => {
  const held = { worker: "w1", runs: 2 };
  const fresh = { state: "processing", worker: "w1", runs: 2 };
  strictEqual(holdsRun(fresh, held), true);
  strictEqual(holdsRun({ ...fresh, worker: "w2" }, held), false);
  strictEqual(holdsRun({ ...fresh, runs: 3 }, held), false);
  strictEqual(holdsRun({ ...fresh, state: "failed" }, held), false);
  strictEqual(holdsRun(null, held), false);
});
