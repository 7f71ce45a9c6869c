import { deepStrictEqual as assertEquals, ok, strictEqual } from "node:assert/strict";
import { join } from "node:path";
import { enqueue, spec, T0, tempStore } from "../../tests/factory.ts";
import { DEFAULT_CONFIG } from "../config.ts";
import { Logger } from "../log.ts";
import { cancelJobs } from "../store/cancel.ts";
import { countHooks } from "../store/hook_outbox.ts";
import { readTotals } from "../store/metrics.ts";
import { FinishHooks, hookLeaseMs } from "./finish_hooks.ts";

/** A logger that keeps its lines. */
function memoryLog(): Logger & { lines: string[] } {
  const lines: string[] = [];
  return Object.assign(new Logger({ level: "debug", write: (l) => lines.push(l) }), { lines });
}

Deno.test("runOnce starts at most maxInFlight jobs' hooks; the rest wait in the outbox", async () => {
  await using store = await tempStore();
  const dir = await Deno.makeTempDir();
  const out = join(dir, "out");
  const ids = ["a", "b", "c", "d", "e"];
  await enqueue(store, ids.map((id) => spec({ id })));
  await cancelJobs(store, { ids }, { now: T0, hooks: true });
  const config = { ...DEFAULT_CONFIG, on_finish: `echo {id} {state} >> ${out}` };
  const log = memoryLog();
  const hooks = new FinishHooks(store, { worker: "w", log, maxInFlight: 2 });
  strictEqual(await hooks.runOnce(config, Date.now()), 2);
  strictEqual(await hooks.runOnce(config, Date.now()), 0); // No room until they end.
  await hooks.settled();
  strictEqual(await countHooks(store), 3);
  while (await hooks.runOnce(config, Date.now()) > 0) await hooks.settled();
  const lines = (await Deno.readTextFile(out)).trim().split("\n").sort();
  assertEquals(lines, ids.map((id) => `${id} canceled`));
  strictEqual(log.lines.filter((l) => l.includes("hook.ok")).length, 5);
  strictEqual((await readTotals(store)).counters.hook_ok, 5);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("a hook abandoned by a stopping worker runs again on another worker once its claim lapses", async () => {
  await using store = await tempStore();
  const dir = await Deno.makeTempDir();
  const out = join(dir, "out");
  await enqueue(store, spec({ id: "a" }));
  await cancelJobs(store, { ids: ["a"] }, { now: T0, hooks: true });
  const slow = { ...DEFAULT_CONFIG, on_finish: `sleep 30; echo {id} >> ${out}` };
  const log = memoryLog();
  const first = new FinishHooks(store, { worker: "w1", log });
  const now = Date.now();
  strictEqual(await first.runOnce(slow, now), 1);
  await first.stop(0);
  ok(log.lines.some((l) => l.includes("hook.abandoned")), log.lines.join("\n"));
  strictEqual(await countHooks(store), 1);
  const fast = { ...DEFAULT_CONFIG, on_finish: `echo {id} >> ${out}` };
  const second = new FinishHooks(store, { worker: "w2", log: memoryLog() });
  strictEqual(await second.runOnce(fast, now + 1), 0); // Still w1's.
  strictEqual(await second.runOnce(fast, now + hookLeaseMs(fast) + 1), 1);
  await second.settled();
  assertEquals(await Deno.readTextFile(out), "a\n");
  strictEqual(await countHooks(store), 0);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("with no hook configured any more, leftover entries are dropped without running", async () => {
  await using store = await tempStore();
  await enqueue(store, spec({ id: "a" }));
  await cancelJobs(store, { ids: ["a"] }, { now: T0, hooks: true });
  const log = memoryLog();
  const hooks = new FinishHooks(store, { worker: "w", log });
  strictEqual(await hooks.runOnce(DEFAULT_CONFIG, Date.now()), 1);
  strictEqual(await countHooks(store), 0);
  ok(log.lines.some((l) => l.includes("hook.dropped") && l.includes("job=a")));
  const totals = (await readTotals(store)).counters;
  assertEquals([totals.hook_ok, totals.hook_failed], [0, 0]);
});
