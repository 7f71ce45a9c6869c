import { strictEqual } from "node:assert/strict";
import { lostReason } from "./lease.ts";

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
