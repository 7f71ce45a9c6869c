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
import { claimNext } from "../store/claim.ts";
import {
  batchSizes,
  Completer,
  contendedUntil,
  endsWithClaims,
  lingerMs,
  MAX_LINGER_MS,
} from "./completer.ts";

Deno.test("batchSizes pairs results while they claim over KV Connect (10 checks), takes 16 on a local file (100), and up to 9 or 32 ends otherwise", () => {
  assertEquals(batchSizes(1, true, 10), [1]);
  assertEquals(batchSizes(5, true, 10), [2, 2, 1]);
  assertEquals(batchSizes(5, false, 10), [5]);
  assertEquals(batchSizes(11, false, 10), [9, 2]);
  assertEquals(batchSizes(20, true, 100), [16, 4]);
  assertEquals(batchSizes(40, false, 100), [32, 8]);
  assertEquals([endsWithClaims(10), endsWithClaims(100)], [2, 16]);
});

Deno.test("on a local file a completer writes twelve slots' results and their next claims in one commit", async () => {
  await using store = await tempStore({ strict: false, spy: true });
  const ids = Array.from({ length: 12 }, (_, i) => `r${String(i).padStart(2, "0")}`);
  const running = [];
  for (const id of ids) running.push(await enqueueAndClaim(store, spec({ id })));
  await enqueue(store, ids.map((id) => spec({ id: `n${id}` })), T0 + 1);
  const completer = new Completer(store, { workerId: "w1", tally: new MetricTally("w1") });
  const commits = store.stats.commits;
  const options = { now: T0 + 2, settings: SETTINGS, wantNext: true };
  const handoffs = await Promise.all(running.map((c) => completer.submit(c, report(), options)));
  strictEqual(store.stats.commits - commits, 1, "one commit for 12 ends and 12 claims");
  assertEquals(handoffs.map((h) => h.job?.state), ids.map(() => "completed"));
  const next = handoffs.map((h) => h.next?.job.id ?? "none").sort();
  assertEquals(next, ids.map((id) => `n${id}`));
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

Deno.test("contendedUntil counts a completer contended for 2 s only from a second stale read within 2 s", () => {
  strictEqual(contendedUntil(-Infinity, 5000, -Infinity), -Infinity);
  strictEqual(contendedUntil(1000, 5000, -Infinity), -Infinity);
  strictEqual(contendedUntil(4000, 5000, -Infinity), 7000);
  strictEqual(contendedUntil(4900, 5000, 9000), 9000);
});

Deno.test("a completer claims a drain's jobs in FIFO order, reading candidates once for several results", async () => {
  await using store = await tempStore({ spy: true });
  let claimed = await enqueueAndClaim(store, spec({ id: "j00" }));
  const ids = Array.from({ length: 12 }, (_, i) => `j${String(i + 1).padStart(2, "0")}`);
  await enqueue(store, ids.map((id) => spec({ id })), T0 + 1);
  const completer = new Completer(store, { workerId: "w1", tally: new MetricTally("w1") });
  let afterFirst = 0;
  const order: string[] = [];
  for (let i = 0; i < ids.length; i++) {
    const handoff = await completer.submit(claimed, report(), {
      now: T0 + 2,
      settings: SETTINGS,
      wantNext: true,
    });
    strictEqual(handoff.job?.state, "completed");
    claimed = handoff.next!;
    order.push(claimed.job.id);
    if (i === 0) afterFirst = store.stats.lists;
  }
  assertEquals(order, ids);
  // One read serves several results (it was one or two lists per result before the pool).
  const reads = store.stats.lists - afterFirst;
  strictEqual(reads <= 4, true, `${reads} lists for 11 results: the candidates read are reused`);
});

Deno.test("a completer whose read candidates another worker claimed meanwhile still writes the result and claims the next free job", async () => {
  await using store = await tempStore();
  const first = await enqueueAndClaim(store, spec({ id: "a0" }));
  await enqueue(store, ["a1", "a2", "a3", "a4", "a5"].map((id) => spec({ id })), T0 + 1);
  const completer = new Completer(store, { workerId: "w1", tally: new MetricTally("w1") });
  const options = { now: T0 + 2, settings: SETTINGS, wantNext: true };
  const second = await completer.submit(first, report(), options);
  assertEquals([second.job?.state, second.next?.job.id], ["completed", "a1"]);
  // Another worker takes the jobs this completer read as its next candidates.
  const other = await claimNext(store, { workerId: "w2", now: Date.now(), random: () => 0 });
  const other2 = await claimNext(store, { workerId: "w2", now: Date.now(), random: () => 0 });
  assertEquals([other?.job.id, other2?.job.id], ["a2", "a3"]);
  const third = await completer.submit(second.next!, report(), options);
  assertEquals([third.job?.state, third.next?.job.id], ["completed", "a4"]);
});

Deno.test("lingerMs waits for partners only over slow commits, with a slot running and the pair not full, an eighth of a commit at most 5 ms", () => {
  strictEqual(lingerMs(3, 1, 1), 0);
  strictEqual(lingerMs(16, 1, 1), 2);
  strictEqual(lingerMs(45, 1, 1), MAX_LINGER_MS);
  strictEqual(lingerMs(45, 2, 1), 0);
  strictEqual(lingerMs(45, 1, 0), 0);
});
