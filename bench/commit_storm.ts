/**
 * A commit ceiling probe: commits N job-sized atomic operations (one check, four mutations, like a
 * job transition) in a row to one KV file, retrying
 * "database is locked" the way the store does, and prints
 * `{"n", "start", "end", "locked"}` as JSON. The bench runs one copy, then two at once on the same
 * file, to see how many commits per second the file takes and how often writers collide.
 *
 * With `spawn` it also runs `sh -c true` after each commit, as `bench/floor.ts` does: the floor of
 * a durable queue, one job-sized commit and one spawn per job, with no reads and no queue logic.
 *
 * Usage: `deno run -A --unstable-kv bench/commit_storm.ts PATH N [spawn]`
 *
 * @module
 */
const [path, count] = Deno.args;
const n = Number(count ?? "1000");
const sh = Deno.args[2] === "spawn"
  ? new Deno.Command("sh", { args: ["-c", "true"], stdin: "null", stdout: "null", stderr: "null" })
  : null;
const kv = await Deno.openKv(path);
const record = {
  id: "01M8STORM0000000000000000",
  command: "true",
  state: "completed",
  attempts: 1,
  runs: 1,
  max_retries: 3,
  priority: 0,
  run_at: Date.now(),
  timeout: null,
  seq: "01M8SEQ000000000000000000",
  created_at: Date.now(),
  updated_at: Date.now(),
  started_at: Date.now(),
  finished_at: Date.now(),
  exit_code: 0,
  last_error: null,
  worker: "host:12345:abcd",
  cancel_requested: false,
};
let locked = 0;
const start = performance.timeOrigin + performance.now();
for (let i = 0; i < n; i++) {
  // As `Db` retries: at once, then after 1, 2, 4 … ms (up to 100), each jittered by ±50%.
  let delay = 0;
  for (;;) {
    try {
      // A check, like every job transition: the commit reads before it writes.
      await kv.atomic()
        .check({ key: ["job", Deno.pid, i], versionstamp: null })
        .set(["job", Deno.pid, i], record)
        .set(["state", "completed", Deno.pid, i], i)
        .delete(["ready", Deno.pid, i])
        .sum(["count", "completed"], 1n)
        .commit();
      break;
    } catch (err) {
      if (!/locked|busy/i.test(String(err))) throw err;
      locked++;
      await new Promise((r) => setTimeout(r, delay * (0.5 + Math.random())));
      delay = Math.min(Math.max(1, delay * 2), 100);
    }
  }
  if (sh && !(await sh.spawn().status).success) throw new Error("sh -c true failed");
}
const end = performance.timeOrigin + performance.now();
kv.close();
console.log(JSON.stringify({ n, start, end, locked }));
