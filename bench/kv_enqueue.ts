/**
 * The KV work of one `enqueue` with no CLI, spec parsing or store layer on its path: open the
 * database in `QUEUECTL_DB`, read the config keys, commit one pending job, ring the doorbell file,
 * close. `deno run` of it, against `queuectl enqueue`, shows what the runtime and Deno KV need for
 * one enqueue (B1 baseline).
 *
 * The record comes from the store's own builder (`newJob`) and the keys from `keys`, and
 * kv_enqueue_test.ts checks these writes against what `applyTransition` writes for a new job, so
 * the baseline follows queuectl's enqueue instead of drifting from a copy. `newJob` has a module
 * of its own for this: imported from enqueue.ts it would bring most of the store along, and the
 * baseline came within about 5 ms of `queuectl enqueue` (medians of 40 interleaved runs, load 5).
 * The few modules it loads now cost 0–2.5 ms over the hand-copied script it replaced.
 *
 * @module
 */
import type { Job } from "../src/job.ts";
import { minuteOf } from "../src/metrics.ts";
import { newJob } from "../src/store/new_job.ts";
import { keys } from "../src/store/keys.ts";
import type { Mutation } from "../src/store/tx.ts";

/**
 * The writes of enqueueing the new pending `job`: its listing entry, the state counter and its
 * queue's, the minute's `enqueued` counter and the record, in the order `applyTransition` makes them.
 *
 * @example
 * ```ts
 * import { newJob } from "../src/store/new_job.ts";
 * const job = newJob({ command: "true", priority: 0, timeout: null }, { now: 0, maxRetries: 3 });
 * enqueueWrites(job).length; // 5
 * ```
 */
export function enqueueWrites(job: Job): Mutation[] {
  return [
    { type: "set", key: keys.listedAt(job), value: job.id },
    { type: "sum", key: keys.count(job.state), n: 1n },
    { type: "sum", key: keys.qcount(job.queue ?? "default", job.state), n: 1n },
    { type: "sum", key: keys.metricMinute(minuteOf(job.updated_at), "enqueued"), n: 1n },
    { type: "set", key: keys.job(job.id), value: job },
  ];
}

if (import.meta.main) {
  const path = Deno.env.get("QUEUECTL_DB");
  if (!path) throw new Error("kv_enqueue.ts needs QUEUECTL_DB");
  const kv = await Deno.openKv(path);
  for await (const _ of kv.list({ prefix: keys.configAll })) {
    // Read as the CLI reads its configuration.
  }
  const job = newJob({ command: "true", priority: 0, timeout: null }, {
    now: Date.now(),
    maxRetries: 3,
  });
  const op = kv.atomic();
  for (const m of enqueueWrites(job)) {
    if (m.type === "set") op.set(m.key, m.value);
    else if (m.type === "sum") op.sum(m.key, m.n);
  }
  if (!(await op.commit()).ok) throw new Error("kv_enqueue.ts: commit failed");
  await Deno.writeFile(`${path}.wake`, new Uint8Array([1]), { mode: 0o600 });
  kv.close();
}
