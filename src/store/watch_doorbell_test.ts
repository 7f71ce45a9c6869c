import { ok } from "node:assert/strict";
import { startKvConnectServer } from "../../tests/support/kv_connect_server.ts";
import { TEST_TOKEN } from "../../tests/support/remote_queue.ts";
import { Db } from "./db.ts";
import { WatchDoorbell } from "./watch_doorbell.ts";

/** Two clients of one KV Connect server, as two hosts would be. */
async function twoClients(url: string): Promise<[Deno.Kv, Deno.Kv]> {
  // Deno's remote client reads the token from the environment, and only at open.
  const before = Deno.env.get("DENO_KV_ACCESS_TOKEN");
  Deno.env.set("DENO_KV_ACCESS_TOKEN", TEST_TOKEN);
  try {
    return [await Deno.openKv(url), await Deno.openKv(url)];
  } finally {
    if (before === undefined) Deno.env.delete("DENO_KV_ACCESS_TOKEN");
    else Deno.env.set("DENO_KV_ACCESS_TOKEN", before);
  }
}

Deno.test("a ring from one KV Connect client wakes a waiter on another within milliseconds", async () => {
  await using server = await startKvConnectServer({ token: TEST_TOKEN });
  const [a, b] = await twoClients(server.url);
  const ringer = new WatchDoorbell(new Db(a));
  const waiter = new WatchDoorbell(new Db(b));
  try {
    waiter.arm();
    await waiter.wait(2000); // The first event (the current value) counts as a ring.
    for (let i = 0; i < 3; i++) {
      waiter.arm();
      const t0 = performance.now();
      setTimeout(() => ringer.ring(), 20);
      await waiter.wait(10_000);
      const took = performance.now() - t0;
      ok(took < 2000, `ring ${i} took ${took} ms`);
    }
    // No ring: the wait runs to its timeout.
    waiter.arm();
    const t0 = performance.now();
    await waiter.wait(300);
    ok(performance.now() - t0 >= 290, "a wait without a ring lasts its timeout");
  } finally {
    ringer.close();
    waiter.close();
    a.close();
    b.close();
  }
});
