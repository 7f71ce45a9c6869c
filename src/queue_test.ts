import { deepStrictEqual as assertEquals, throws } from "node:assert/strict";
import {
  assertQueueName,
  defaultSettings,
  formatRate,
  nextStarts,
  parseConcurrency,
  parseQueueList,
  parseRate,
  startGate,
} from "./queue.ts";
import { UsageError } from "./errors.ts";

Deno.test("assertQueueName takes 1-64 of A-Z a-z 0-9 . _ - and refuses . and .. and the rest", () => {
  for (const ok of ["build", "a", "mail.v2", "x_y-z", "a".repeat(64), "..."]) {
    assertEquals(assertQueueName(ok), ok);
  }
  for (const bad of ["", ".", "..", "a b", "a/b", "a".repeat(65), "é", 5, null]) {
    throws(() => assertQueueName(bad), UsageError);
  }
});

Deno.test("parseRate reads N/DURATION, none, and refuses 0, over 1000, a bad or tiny period", () => {
  assertEquals(parseRate("10/1m"), { limit: 10, per_ms: 60_000 });
  assertEquals(parseRate("1000/1h"), { limit: 1000, per_ms: 3_600_000 });
  assertEquals(parseRate("none"), null);
  for (
    const bad of ["0/1m", "1001/1m", "10", "10/", "/1m", "10/0s", "10/500ms", "abc/1m", "10/2d"]
  ) {
    throws(() => parseRate(bad), UsageError, bad);
  }
  assertEquals(formatRate({ limit: 10, per_ms: 60_000 }), "10/1m");
});

Deno.test("parseConcurrency reads a positive integer or none and refuses 0 and text", () => {
  assertEquals(parseConcurrency("2"), 2);
  assertEquals(parseConcurrency("none"), null);
  for (const bad of ["0", "abc", "-1", "1.5", " 2"]) {
    throws(() => parseConcurrency(bad), UsageError);
  }
});

Deno.test("parseQueueList keeps the order and refuses empty names, bad names and repeats", () => {
  assertEquals(parseQueueList("build,mail"), ["build", "mail"]);
  for (const bad of ["", "a,,b", "a,a", "a,b c"]) throws(() => parseQueueList(bad), UsageError);
});

Deno.test("startGate opens a queue without settings, closes a paused one and one at its limit", () => {
  const base = defaultSettings("q", 0);
  assertEquals(startGate(null, { running: 99, starts: [] }, 0), { ok: true });
  assertEquals(startGate(base, { running: 99, starts: [] }, 0), { ok: true });
  assertEquals(startGate({ ...base, paused: true }, { running: 0, starts: [] }, 0).ok, false);
  const limited = { ...base, concurrency: 2 };
  assertEquals(startGate(limited, { running: 1, starts: [] }, 0).ok, true);
  assertEquals(startGate(limited, { running: 2, starts: [] }, 0), {
    ok: false,
    reason: "limit",
    retryAt: null,
  });
  // A handoff's finished job of the same queue frees its slot in the same operation.
  assertEquals(startGate(limited, { running: 2, starts: [], leaving: 1 }, 0).ok, true);
});

Deno.test("startGate under a rate says when the oldest start in the window leaves it", () => {
  const rated = { ...defaultSettings("q", 0), rate: { limit: 2, per_ms: 60_000 } };
  assertEquals(startGate(rated, { running: 0, starts: [1000] }, 2000).ok, true);
  assertEquals(startGate(rated, { running: 0, starts: [1000, 5000] }, 6000), {
    ok: false,
    reason: "rate",
    retryAt: 61_000,
  });
  // Starts older than the window no longer count.
  assertEquals(startGate(rated, { running: 0, starts: [1000, 5000] }, 61_001).ok, true);
});

Deno.test("nextStarts keeps at most limit recent starts, oldest first, with now last", () => {
  const rate = { limit: 3, per_ms: 10_000 };
  assertEquals(nextStarts([], rate, 5), [5]);
  assertEquals(nextStarts([1, 2, 3], rate, 4), [2, 3, 4]);
  assertEquals(nextStarts([1, 20_000], rate, 25_000), [20_000, 25_000]);
});
