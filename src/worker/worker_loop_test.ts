import { deepStrictEqual as assertEquals, strictEqual } from "node:assert/strict";
import { enqueue, report, SETTINGS, spec, tempStore } from "../../tests/factory.ts";
import { MINUTE_MS } from "../metrics.ts";
import { Logger } from "../log.ts";
import {
  claimNext,
  finishAttempt,
  getJob,
  readMetrics,
  readTotals,
  writeConfig,
} from "../store/mod.ts";
import type { Store } from "../store/open.ts";
import { Worker } from "./worker_loop.ts";

const HOUR = 60 * MINUTE_MS;

/** Enqueues, claims and completes `id` at `at`, as a worker long gone would have. */
async function completedAt(store: Store, id: string, at: number): Promise<void> {
  await enqueue(store, spec({ id }), at);
  const c = await claimNext(store, { workerId: "old", now: at });
  await finishAttempt(store, c!, report(), { now: at + 1, settings: SETTINGS });
}

Deno.test("a worker's maintenance sweeps completed jobs past retention_completed and metric minutes past two hours, and keeps the rest", async () => {
  await using store = await tempStore();
  const now = Date.now();
  await completedAt(store, "ancient", now - 3 * HOUR);
  await completedAt(store, "recent", now - 5 * MINUTE_MS);
  await writeConfig(store, "retention_completed", HOUR);
  const stop = new AbortController();
  const worker = new Worker(store, {
    id: "test:1:1",
    host: "test",
    signal: stop.signal,
    log: new Logger({ level: "error" }),
  });
  strictEqual(await worker.runOnce(), 0, "there was no job to run");
  strictEqual(await getJob(store, "ancient"), null, "the job past retention is gone");
  strictEqual((await getJob(store, "recent"))?.state, "completed", "the recent one stays");
  const old = await readMetrics(store, { now: now - 3 * HOUR });
  assertEquals([old.window.enqueued, old.window.completed], [0, 0], "its minute buckets are swept");
  const fresh = await readMetrics(store, { now });
  assertEquals([fresh.window.enqueued, fresh.window.completed], [1, 1]);
  strictEqual((await readTotals(store)).counters.completed, 2, "all-time totals stay");
});
