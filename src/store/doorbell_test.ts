import { ok } from "node:assert/strict";
import { join } from "node:path";
import { FileDoorbell } from "./doorbell.ts";

Deno.test("a ring from another Doorbell on the same file wakes a waiting one well before its timeout", async () => {
  const dir = await Deno.makeTempDir({ prefix: "queuectl-unit-" });
  const path = join(dir, "q.kv.wake");
  const waiter = new FileDoorbell(path);
  const ringer = new FileDoorbell(path);
  try {
    waiter.arm();
    const started = performance.now();
    const waiting = waiter.wait(5_000);
    setTimeout(() => ringer.ring(), 20);
    await waiting;
    ok(performance.now() - started < 2_000, "the ring was not seen");
  } finally {
    waiter.close();
    ringer.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a Doorbell without a file waits for its timeout", async () => {
  const bell = new FileDoorbell(null);
  await bell.ring();
  const started = performance.now();
  await bell.wait(30);
  ok(performance.now() - started >= 25);
  bell.close();
});

Deno.test("an aborted signal ends a Doorbell wait at once", async () => {
  const bell = new FileDoorbell(null);
  const abort = new AbortController();
  const started = performance.now();
  const waiting = bell.wait(5_000, abort.signal);
  abort.abort();
  await waiting;
  ok(performance.now() - started < 1_000);
  bell.close();
});
