import { deepStrictEqual, equal, ok } from "node:assert/strict";
import { commitTimesMs, largeCommitsWait } from "./probe.ts";
import { keys } from "./keys.ts";
import { tempStore } from "../../tests/factory.ts";

Deno.test("a commit past 1 KB that takes 20 ms more than a small one is the delayed-ACK wait", () => {
  equal(largeCommitsWait({ small_ms: 1.1, large_ms: 44.2 }), true);
  equal(largeCommitsWait({ small_ms: 3, large_ms: 23 }), true);
  equal(largeCommitsWait({ small_ms: 1.1, large_ms: 1.4 }), false);
  equal(largeCommitsWait({ small_ms: 30, large_ms: 45 }), false);
});

Deno.test("commit times are measured on the probe key, which is left small", async () => {
  await using store = await tempStore();
  const times = await commitTimesMs(store, 1);
  ok(times && times.small_ms >= 0 && times.large_ms >= 0, JSON.stringify(times));
  const left = await store.db.get<string>(keys.probe);
  deepStrictEqual(left.value?.length, 100);
});
