/**
 * The floor of B2 on this disk: raw Deno KV writing the same keys and values as N pending jobs
 * (record, `state` index, `ready` index; one counter per commit), 333 jobs per atomic commit, one
 * commit at a time, with no queuectl code in the loop. Sequential, then with the next commit
 * built while the last one is written (as `enqueueJobs` does).
 *
 * ```sh
 * deno run -A --unstable-kv bench/kv_floor.ts [jobs=100000]
 * ```
 *
 * @module
 */
const n = Number(Deno.args[0] ?? "100000");
const perCommit = 333;
const now = Date.now();

function record(i: number) {
  const id = `01J${String(i).padStart(23, "0")}`;
  const seq = `01K${String(i).padStart(23, "0")}`;
  return {
    id,
    command: "true",
    state: "pending",
    attempts: 0,
    runs: 0,
    max_retries: 3,
    priority: 0,
    run_at: now,
    timeout: null,
    seq,
    created_at: now,
    updated_at: now,
    started_at: null,
    finished_at: null,
    exit_code: null,
    last_error: null,
    worker: null,
    cancel_requested: false,
  };
}

async function fill(pipelined: boolean): Promise<number> {
  const dir = await Deno.makeTempDir({ prefix: "queuectl-kvfloor-" });
  const kv = await Deno.openKv(`${dir}/q.kv`);
  const t0 = performance.now();
  let inFlight: Promise<unknown> = Promise.resolve();
  for (let i = 0; i < n; i += perCommit) {
    const op = kv.atomic();
    const end = Math.min(n, i + perCommit);
    for (let j = i; j < end; j++) {
      const r = record(j);
      op.set(["job", r.id], r);
      op.set(["state", "pending", r.seq, r.id], r.id);
      op.set(["ready", 0, r.seq, r.id], r.id);
    }
    op.sum(["count", "pending"], BigInt(end - i));
    if (pipelined) {
      await inFlight;
      inFlight = op.commit();
    } else await op.commit();
  }
  await inFlight;
  const ms = performance.now() - t0;
  kv.close();
  await Deno.remove(dir, { recursive: true });
  return n / (ms / 1000);
}

console.log(`${n} jobs, load ${Deno.readTextFileSync("/proc/loadavg").split(" ")[0]}`);
for (let rep = 0; rep < 2; rep++) {
  console.log(`sequential commits: ${(await fill(false)).toFixed(0)} jobs/s`);
  console.log(`one commit in flight: ${(await fill(true)).toFixed(0)} jobs/s`);
}
