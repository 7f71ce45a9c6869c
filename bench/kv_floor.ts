/**
 * The floor of B2 on this disk: raw Deno KV writing the same keys and values as N pending jobs
 * (record and `ready` entry; one counter per commit), 333 jobs per atomic commit, one commit at a
 * time, with no queuectl code in the timed loop. Sequential, then with the next commit built while
 * the last one is written (as `enqueueJobs` does). Then, for comparison, the same with the third
 * row a pending job had before it lost its `state` entry.
 *
 * ```sh
 * deno run -A --unstable-kv bench/kv_floor.ts [jobs=100000]
 * ```
 *
 * @module
 */
import type { Job } from "../src/job.ts";
import { keys } from "../src/store/keys.ts";
import { newJob } from "../src/store/mod.ts";

const n = Number(Deno.args[0] ?? "100000");
const perCommit = 333;
const now = Date.now();
// Built before the clock starts: the records of N pending jobs, as `enqueue` makes them.
const records: Job[] = Array.from(
  { length: n },
  () => newJob({ command: "true", priority: 0, timeout: null }, { now, maxRetries: 3 }),
);

async function fill(pipelined: boolean, stateRow = false): Promise<number> {
  const dir = await Deno.makeTempDir({ prefix: "queuectl-kvfloor-" });
  const kv = await Deno.openKv(`${dir}/q.kv`);
  const t0 = performance.now();
  let inFlight: Promise<unknown> = Promise.resolve();
  for (let i = 0; i < n; i += perCommit) {
    const op = kv.atomic();
    const end = Math.min(n, i + perCommit);
    for (let j = i; j < end; j++) {
      const r = records[j]!;
      op.set(keys.job(r.id), r);
      if (stateRow) op.set(keys.state("pending", r.seq, r.id), r.id);
      op.set(keys.ready(r.priority, r.seq, r.id), r.id);
    }
    op.sum(keys.count("pending"), BigInt(end - i));
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
  console.log(`one commit in flight, 3 rows: ${(await fill(true, true)).toFixed(0)} jobs/s`);
}
