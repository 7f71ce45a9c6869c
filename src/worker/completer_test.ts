import { deepStrictEqual as assertEquals, strictEqual } from "node:assert/strict";
import {
  enqueue,
  enqueueAndClaim,
  report,
  SETTINGS,
  spec,
  T0,
  tempStore,
} from "../../tests/factory.ts";
import { MetricTally } from "../store/mod.ts";
import { batchSizes, Completer } from "./completer.ts";

Deno.test("batchSizes pairs results while they claim (2 ends + 2 claims fit 10 checks) and takes up to 9 otherwise", () => {
  assertEquals(batchSizes(1, true), [1]);
  assertEquals(batchSizes(5, true), [2, 2, 1]);
  assertEquals(batchSizes(5, false), [5]);
  assertEquals(batchSizes(11, false), [9, 2]);
});

Deno.test("a completer writes two slots' results handed in together in one commit, each with its next job", async () => {
  await using store = await tempStore({ spy: true });
  const a = await enqueueAndClaim(store, spec({ id: "a" }));
  const b = await enqueueAndClaim(store, spec({ id: "b" }));
  await enqueue(store, [spec({ id: "c" }), spec({ id: "d" })], T0 + 1);
  const completer = new Completer(store, { workerId: "w1", tally: new MetricTally("w1") });
  const commits = store.stats.commits;
  const options = { now: T0 + 2, settings: SETTINGS, wantNext: true };
  // Handed in in the same turn: the first write has not started, so both go in it.
  const first = completer.submit(a, report(), options);
  const second = completer.submit(b, report(), options);
  const [ha, hb] = await Promise.all([first, second]);
  strictEqual(store.stats.commits - commits, 1, "one commit for both results and both claims");
  assertEquals([ha.job?.state, hb.job?.state], ["completed", "completed"]);
  assertEquals([ha.next?.job.id, hb.next?.job.id], ["c", "d"]);
});
