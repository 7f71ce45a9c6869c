/**
 * A worker's completer over a KV Connect server that answers a commit only once its body is read,
 * as denokv does: each commit past 1 KB then waits about 40 ms for a delayed ACK (docs/SCALING.md),
 * and a lone result waits briefly for the slots still running, so that a pair shares one commit.
 *
 * @module
 */
import { deepStrictEqual as assertEquals, strictEqual } from "node:assert/strict";
import { enqueue, enqueueAndClaim, report, SETTINGS, spec, T0 } from "./factory.ts";
import { startKvConnectServer } from "./support/kv_connect_server.ts";
import { TEST_TOKEN } from "./support/remote_queue.ts";
import { MetricTally, openStore } from "../src/store/mod.ts";
import { Completer } from "../src/worker/completer.ts";
import { claimNext } from "../src/store/claim.ts";

Deno.test("over a server that reads a commit's body late (as denokv), a result waits for the running slot and both share one commit", async () => {
  Deno.env.set("DENO_KV_ACCESS_TOKEN", TEST_TOKEN);
  await using server = await startKvConnectServer({ token: TEST_TOKEN, earlyHeaders: false });
  const store = await openStore(server.url, { strict: true });
  try {
    const ids = ["a", "b", "c", "d", "e", "f", "g", "h"];
    let claimed = await enqueueAndClaim(store, spec({ id: "warm" }));
    await enqueue(store, ids.map((id) => spec({ id })), T0 + 1);
    let running = 0;
    const completer = new Completer(store, {
      workerId: "w1",
      tally: new MetricTally("w1"),
      running: () => running,
    });
    const options = { now: T0 + 2, settings: SETTINGS, wantNext: true };
    // Slow commits, one slot: each result goes alone and teaches the completer the link is slow.
    for (let i = 0; i < 3; i++) {
      claimed = (await completer.submit(claimed, report(), options)).next!;
    }
    const other = await claimNext(store, { workerId: "w1", now: Date.now(), random: () => 0 });
    // Two slots: one hands in its result while the other still runs, which ends a moment later.
    running = 1;
    const commits = server.writes.count;
    const first = completer.submit(claimed, report(), options);
    await new Promise((resolve) => setTimeout(resolve, 0));
    running = 0;
    const second = completer.submit(other!, report(), options);
    const [one, two] = await Promise.all([first, second]);
    assertEquals([one.job?.state, two.job?.state], ["completed", "completed"]);
    strictEqual(server.writes.count - commits, 1, "both results and both claims in one commit");
  } finally {
    store.close();
  }
});
