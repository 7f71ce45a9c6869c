/**
 * The KV work of one `enqueue`, with no queuectl code: open the database in `QUEUECTL_DB`, read
 * the config keys, commit one pending job (record, `ready` entry, counter, a metric counter),
 * ring the doorbell file, close. `deno run` of it, against `queuectl enqueue`, shows what the
 * runtime and Deno KV need for one enqueue before any of queuectl's own code (B1 baseline).
 *
 * @module
 */
const path = Deno.env.get("QUEUECTL_DB");
if (!path) throw new Error("kv_enqueue.ts needs QUEUECTL_DB");
const kv = await Deno.openKv(path);
for await (const _ of kv.list({ prefix: ["config"] })) {
  // Read as the CLI reads its configuration.
}
const now = Date.now();
const id = `01BENCH${now}${Math.random().toString(36).slice(2, 10)}`;
const job = {
  id,
  command: "true",
  state: "pending",
  attempts: 0,
  runs: 0,
  max_retries: 3,
  priority: 0,
  run_at: now,
  timeout: null,
  seq: id,
  created_at: now,
  updated_at: now,
  started_at: null,
  finished_at: null,
  exit_code: null,
  last_error: null,
  worker: null,
  cancel_requested: false,
};
const minute = now - (now % 60_000);
const res = await kv.atomic()
  .set(["ready", 0, id, id], id)
  .sum(["count", "pending"], 1n)
  .sum(["metric", "m", minute, "enqueued"], 1n)
  .set(["job", id], job)
  .commit();
if (!res.ok) throw new Error("commit failed");
await Deno.writeFile(`${path}.wake`, new Uint8Array([1]), { mode: 0o600 });
kv.close();
