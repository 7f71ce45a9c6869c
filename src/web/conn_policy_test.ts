import { deepStrictEqual as assertEquals, strictEqual } from "node:assert/strict";
import { admit, CONN_LIMITS, type ConnState, overdue, waitingSince } from "./conn_policy.ts";

const LIMITS = { headerTimeoutMs: 100, bodyTimeoutMs: 300, maxPerClient: 2, maxConnections: 3 };

function conn(fields: Partial<ConnState> = {}): ConnState {
  return {
    client: "a",
    phase: "head",
    phaseSince: 0,
    inflight: 0,
    idleSince: 0,
    writingSince: null,
    ...fields,
  };
}

Deno.test("overdue: a head, a body or a response read that takes too long", () => {
  strictEqual(overdue(conn(), 100, LIMITS), null);
  strictEqual(overdue(conn(), 101, LIMITS), "header");
  strictEqual(overdue(conn({ idleSince: 50 }), 101, LIMITS), null, "idle since the last answer");
  strictEqual(overdue(conn({ inflight: 1 }), 10_000, LIMITS), null, "the server is answering");
  strictEqual(overdue(conn({ phase: "body", inflight: 1 }), 301, LIMITS), "body");
  strictEqual(overdue(conn({ phase: "body" }), 300, LIMITS), null);
  strictEqual(overdue(conn({ inflight: 1, writingSince: 10 }), 311, LIMITS), "write");
  strictEqual(overdue(conn({ writingSince: 10 }), 200, LIMITS), null, "a write may outlast a head");
  assertEquals([CONN_LIMITS.headerTimeoutMs, CONN_LIMITS.bodyTimeoutMs], [10_000, 30_000]);
});

Deno.test("waitingSince: only connections that wait on their client", () => {
  strictEqual(waitingSince(conn({ phaseSince: 5, idleSince: 7 }), 9), 7);
  strictEqual(waitingSince(conn({ inflight: 1 }), 9), null);
  strictEqual(waitingSince(conn({ phase: "body", phaseSince: 4, inflight: 1 }), 9), 4);
  strictEqual(waitingSince(conn({ inflight: 1, writingSince: 10 }), 500), null, "a short write");
  strictEqual(waitingSince(conn({ inflight: 1, writingSince: 10 }), 1010), 10, "a stalled one");
});

Deno.test("admit displaces the connection that waited longest, and refuses when none waits", () => {
  const open = new Map<number, ConnState>([
    [1, conn({ phaseSince: 20 })],
    [2, conn({ phaseSince: 10 })],
  ]);
  assertEquals(admit(open, "a", 30, LIMITS), { evict: [2] }, "client a is at its cap");
  assertEquals(admit(open, "b", 30, LIMITS), { evict: [] }, "another client is not");
  open.set(3, conn({ client: "b", phaseSince: 0, inflight: 1 }));
  assertEquals(admit(open, "c", 30, LIMITS), { evict: [2] }, "the total cap: b is busy");
  assertEquals(admit(open, "a", 30, LIMITS), { evict: [2] }, "one displaced is room under both");
  open.set(1, conn({ inflight: 1 }));
  open.set(2, conn({ inflight: 1 }));
  strictEqual(admit(open, "a", 30, LIMITS), null, "every connection of a is being answered");
  strictEqual(admit(open, "c", 30, LIMITS), null, "and so is every connection at the total cap");
});
