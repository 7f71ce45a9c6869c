import { deepStrictEqual as assertEquals } from "node:assert/strict";
import type { B3 } from "./drain.ts";
import type { Drain } from "./drain_one.ts";
import type { EndToEnd } from "./e2e.ts";
import type { Results } from "./results.ts";
import type { Floor } from "./spawn_floor.ts";
import type { Summary } from "./stats.ts";
import { buildTable } from "./table.ts";
import { guarded } from "./workload_env.ts";
import type { Env } from "./workload_env.ts";

const floorOf = (per_s: number, processes: number, in_flight = 1): Floor => ({
  spawns: 2000,
  processes,
  in_flight,
  per_s,
  parent_cpu_ms_per_spawn: 0.3,
  shell_cpu_ms_per_spawn: 1,
});

const drainOf = (
  workers: number,
  over: { jobs?: number; steady?: number; tree?: number; processes?: number } = {},
): Drain => ({
  workers,
  processes: over.processes ?? 1,
  command: "true",
  limit: null,
  jobs: over.jobs ?? 2000,
  wall_ms: 1000,
  jobs_per_s: 200,
  startup_ms: 300,
  steady_jobs_per_s: over.steady ?? 210,
  machine_cpu_ms_per_job: 5,
  machine_cpu_busy: 0.9,
  retried_jobs: 0,
  timeline: { claim_and_setup_ms: 1, command_ms: 1, finish_and_loop_ms: 1, cycle_ms: 3 },
  usage: {
    supervisor_peak_rss_mib: 50,
    worker_peak_rss_mib: [60],
    tree_peak_rss_mib: over.tree ?? 110,
    worker_rss_split_mib: [{ anon: 20, file: 40 }],
    worker_cpu_ms_per_job: 3,
    shell_cpu_ms_per_job: 1,
    supervisor_cpu_ms_per_job: 0,
  },
  db_bytes_per_completed_job: 3000,
  db_bytes_per_completed_job_at_rest: 1000,
});

const sleepOf = (count: number, tree: number) => ({
  count,
  job_s: 0.05,
  ideal_jobs_per_s: count / 0.05,
  drain: {
    ...drainOf(count, { jobs: count * 20, steady: count * 10, tree }),
    command: "sleep 0.05",
  },
});

function b3(tree32: number): B3 {
  return {
    floor1: floorOf(400, 1),
    floor2: floorOf(800, 2),
    floors: [floorOf(500, 1, 8)],
    durable2: { commits: 2000, processes: 2, per_s: 400, locked_per_commit: 0.4 } as B3["durable2"],
    drains: [drainOf(2), drainOf(8)],
    limited: null,
    tsp2: null,
    sleep: [sleepOf(2, 100), sleepOf(8, 110), sleepOf(32, tree32)],
  };
}

const summaryOf = (p50: number, p99: number): Summary => ({
  n: 50,
  p50,
  p95: p99,
  p99,
  min: p50,
  max: p99,
  mean: p50,
});

const row = (results: Results, start: string) =>
  buildTable(results).find((r) => r.figure.startsWith(start));

Deno.test("a drain at --count 8 is compared with the floor of 8 spawns in flight", () => {
  const r = row({ B3: b3(150) }, "drain 2,000 true jobs, --count 8");
  assertEquals(r?.ref, "0.40x of 8-spawn floor; 0.50x of durable floor");
  assertEquals(
    row({ B3: b3(150) }, "drain 2,000 true jobs, --count 2")?.ref.split(";")[0],
    "0.25x of 2-process floor",
  );
});

Deno.test("sleep drains read against count / 0.05 s, and only --count 32's tree has the 2x goal", () => {
  const results = { B3: b3(150) };
  assertEquals(
    row(results, "drain 640 x sleep 0.05, --count 32")?.ref,
    "0.50x of ideal 640/s (count / 0.05 s); 200 jobs/s with start-up",
  );
  const top = row(results, "  worker tree peak RSS, --count 32");
  assertEquals([top?.value, top?.ref, top?.met], ["150 MiB", "1.50x of --count 2 (100 MiB)", true]);
  assertEquals(row(results, "  worker tree peak RSS, --count 8")?.goal, "");
  assertEquals(row({ B3: b3(250) }, "  worker tree peak RSS, --count 32")?.met, false);
});

Deno.test("B8 judges the record's median against 6 ms, with tsp's row only when tsp ran", () => {
  const e: EndToEnd = {
    jobs: 50,
    slots: 2,
    created_to_finished: summaryOf(5, 20),
    created_to_started: summaryOf(2, 8),
    seen_by_caller: summaryOf(7, 25),
    tsp: null,
  };
  assertEquals(row({ B8: e }, "end to end")?.met, true);
  assertEquals(row({ B8: e }, "task-spooler"), undefined);
  const withTsp = { B8: { ...e, tsp: summaryOf(2, 4) } };
  assertEquals(row(withTsp, "task-spooler")?.ref, "p99 4.0 ms; queuectl's p50 at 2.50x of it");
});

Deno.test("a guarded row that throws is recorded as a failure and returns null", async () => {
  const failed: string[] = [];
  const env = { fail: (m: string) => failed.push(m) } as unknown as Env;
  assertEquals(await guarded(env, "row A", () => Promise.reject(new Error("boom"))), null);
  assertEquals(await guarded(env, "row B", () => Promise.resolve(7)), 7);
  assertEquals(failed.length, 1);
  assertEquals(failed[0]!.startsWith("row A: Error: boom"), true);
});
