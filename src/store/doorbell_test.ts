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

Deno.test("an onlyWhenWatched bell creates no file when it rings, and wakes a listener once one exists", async () => {
  const dir = await Deno.makeTempDir({ prefix: "queuectl-unit-" });
  const path = join(dir, "q.kv.ended");
  const ringer = new FileDoorbell(path, { onlyWhenWatched: true });
  const waiter = new FileDoorbell(path, { onlyWhenWatched: true });
  try {
    await ringer.ring();
    ok(!(await Deno.stat(path).then(() => true, () => false)), "a ring made the file");
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

Deno.test("when one of two listeners closes and removes the bell file, the other still hears rings", async () => {
  const dir = await Deno.makeTempDir({ prefix: "queuectl-unit-" });
  const path = join(dir, "q.kv.ended");
  const [a, b, ringer] = [1, 2, 3].map(() => new FileDoorbell(path, { onlyWhenWatched: true }));
  try {
    a!.arm();
    b!.arm();
    a!.close();
    await b!.wait(2_000); // the removal wakes it
    b!.arm();
    const started = performance.now();
    const waiting = b!.wait(5_000);
    setTimeout(() => ringer!.ring(), 20);
    await waiting;
    ok(performance.now() - started < 2_000, "the ring was not seen");
  } finally {
    b!.close();
    ringer!.close();
    await Deno.remove(dir, { recursive: true });
  }
});
