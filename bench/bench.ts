/**
 * `deno task bench`: queuectl's benchmark suite (issue #6). Every workload runs end to end through
 * the real CLI and real worker subprocesses on temp databases, never the user's own.
 *
 * ```sh
 * deno task bench                 # full run (< 10 min on 2 cores); writes bench/results.json
 * deno task bench --smoke         # tiny sizes for CI (< 60 s); checks it works, asserts no timings
 * deno task bench --only B1,B3    # a subset: P (primitives), B1-B6, B8, PROF (B7 comes with B3)
 * deno task bench --remote        # adds R: the CLI over a KV Connect server against a local file
 *                                 # (smoke always runs R)
 * deno task bench --max-depth 100000 --out /tmp/r.json
 * ```
 *
 * @module
 */
import { fileURLToPath } from "node:url";
import { parseArgs } from "./args.ts";
import { type DepthPoint, depthPoint, fill } from "./depth.ts";
import { b3 } from "./drain.ts";
import { b8 } from "./e2e.ts";
import { b1, b2 } from "./enqueue_workloads.ts";
import { fmt } from "./format.ts";
import { b4 } from "./latency.ts";
import { TempDb, type WorkerGroup } from "./lib.ts";
import { machineInfo } from "./machine_info.ts";
import { printDetails, printTable } from "./print.ts";
import { primitives } from "./primitives.ts";
import { alive, loadavg } from "./proc.ts";
import { profile, profileEnqueue } from "./profile.ts";
import { remote } from "./remote.ts";
import type { Results } from "./results.ts";
import { b5 } from "./retry.ts";
import { FULL, SMOKE } from "./sizes.ts";
import { buildTable } from "./table.ts";
import type { Env } from "./workload_env.ts";

/** Whole-run time limit of the issue (seconds); `--budget` changes it. */
let BUDGET_S = 600;
/** What the fill may use of it: the rest is kept for measuring at the last depth and margin. */
const FILL_RESERVE_S = 60;

const args = parseArgs(Deno.args);
const sizes = args.smoke ? SMOKE : FULL;
if (args.maxDepth !== null) {
  sizes.b6Depths = sizes.b6Depths.filter((d) => d <= args.maxDepth!);
  if (!sizes.b6Depths.includes(args.maxDepth)) sizes.b6Depths.push(args.maxDepth);
}
if (args.budget !== null) BUDGET_S = args.budget;
// R adds about 20 s to a full run and a second server process, so a full run has it only on
// request; at smoke size it costs about 4-6 s, and smoke runs it so that CI keeps it working.
const want = (id: string) =>
  (id !== "R" || args.remote || args.smoke) && (args.only === null || args.only.has(id));
const t0 = performance.now();
const elapsed = () => (performance.now() - t0) / 1000;
const log = (line: string) => console.error(`[${elapsed().toFixed(1).padStart(6)}s] ${line}`);
const tmp = await Deno.makeTempDir({ prefix: "queuectl-bench-" });
const running = new Set<Promise<WorkerGroup>>();
const results: Results = {};
const errors: string[] = [];
/** A row that failed inside a workload: the workload's other rows stand, the run fails. */
const fail = (msg: string) => {
  errors.push(msg);
  log(`ERROR ${msg}`);
};
const env: Env = { sizes, tmp, log, running, fail };
const notes: string[] = [];
const loads: Record<string, number[]> = { start: loadavg() };

/** Asks every supervisor this bench started to stop (its workers follow). */
async function stopAll(): Promise<void> {
  await Promise.all([...running].map(async (starting) => {
    try {
      const { supervisorPid } = await starting;
      if (alive(supervisorPid)) Deno.kill(supervisorPid, "SIGTERM");
    } catch {
      // It never started, or is gone.
    }
  }));
}

const onInterrupt = async () => {
  console.error("bench: interrupted; stopping workers and removing temp files");
  await stopAll();
  await new Promise((r) => setTimeout(r, 1500));
  await Deno.remove(tmp, { recursive: true }).catch(() => {});
  Deno.exit(130);
};
Deno.addSignalListener("SIGINT", onInterrupt);

const machine = await machineInfo();
log(
  `queuectl bench (${args.smoke ? "smoke" : "full"}) on ${machine.nproc} x ${machine.cpu_model}, ` +
    `deno ${machine.deno}, load ${loads.start!.join(" ")}`,
);
if (!args.smoke && loads.start![0]! > 0.5) {
  log(`warning: load ${loads.start![0]} > 0.5: other work is running, timings will be noisy`);
}

async function step<T>(id: string, title: string, fn: () => Promise<T>): Promise<T | undefined> {
  if (!want(id)) return undefined;
  log(`${id}: ${title}`);
  loads[id] = loadavg();
  const s = performance.now();
  try {
    const r = await fn();
    log(`${id}: done in ${((performance.now() - s) / 1000).toFixed(1)} s`);
    return r;
  } catch (err) {
    const msg = `${id}: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`;
    errors.push(msg);
    log(`ERROR ${msg}`);
    return undefined;
  }
}

try {
  results.primitives = await step("P", "primitive costs", () => primitives(env));
  results.B1 = await step("B1", "one enqueue as a whole CLI process", async () => {
    const db = await TempDb.create(tmp, "b1");
    try {
      return await b1(env, db);
    } finally {
      await db.remove();
    }
  });
  results.B2 = await step("B2", `bulk enqueue of ${fmt(sizes.b2Jobs)} jobs`, () => b2(env));
  results.B3 = await step(
    "B3",
    `drain ${fmt(sizes.b3Jobs)} jobs with ${sizes.b3Workers.join(", ")} workers, and the floor`,
    () => b3(env),
  );
  results.B4 = await step("B4", `enqueue-to-start latency, ${sizes.b4Jobs} jobs`, () => b4(env));
  results.B8 = await step(
    "B8",
    `end-to-end latency, ${sizes.e2eJobs} jobs one at a time, and task-spooler's`,
    () => b8(env),
  );
  results.B5 = await step("B5", `retry lateness, ${sizes.b5Jobs} jobs`, () => b5(env));
  results.profile = await step("PROF", "profile of 2 probed workers", () => profile(env));
  results.profile_enqueue = await step(
    "PROF",
    `profile of a bulk enqueue of ${fmt(sizes.b2Jobs / 5)} jobs`,
    () => profileEnqueue(env, sizes.b2Jobs / 5),
  );
  results.B6 = await step("B6", `cost at depth ${sizes.b6Depths.join(", ")}`, () => runB6());
  results.R = await step(
    "R",
    `enqueue, bulk enqueue of ${fmt(sizes.remoteJobs)}, drain and wake-up, local and remote`,
    () => remote(env),
  );
} finally {
  loads.end = loadavg();
  await stopAll();
  await Deno.remove(tmp, { recursive: true }).catch(() => {});
  Deno.removeSignalListener("SIGINT", onInterrupt);
}

async function runB6(): Promise<NonNullable<Results["B6"]>> {
  const db = await TempDb.create(tmp, "b6");
  const store = await db.open();
  const depths: DepthPoint[] = [];
  let capped: string | null = null;
  let stored = 0;
  let lastRate = results.B2?.jobs_per_s ?? 10_000;
  try {
    for (const target of sizes.b6Depths) {
      let goal = target;
      const add = goal - stored;
      if (add > 0 && !args.smoke) {
        // The projection uses the last fill's rate (writes slow down as the file grows).
        const projected = (add / lastRate) * 1.25;
        const left = BUDGET_S - FILL_RESERVE_S - elapsed();
        if (projected > left) {
          const fits = Math.floor((left * lastRate) / 1.25 / 100_000) * 100_000;
          goal = stored + Math.max(0, fits);
          capped = `depth ${fmt(target)} capped at ${fmt(goal)}: filling ${fmt(add)} more jobs ` +
            `at the last fill's ${fmt(lastRate)} jobs/s would take ~${projected.toFixed(0)} s ` +
            `and only ${left.toFixed(0)} s of the ${BUDGET_S} s budget are left`;
          log(`B6: ${capped}`);
          notes.push(`B6: ${capped}`);
          if (goal <= stored) break;
        }
      }
      let fillMs = 0;
      if (goal > stored) {
        log(`  fill ${fmt(goal - stored)} scheduled jobs (depth ${fmt(goal)})`);
        fillMs = (await fill(db, goal - stored)).ms;
        lastRate = (goal - stored) / (fillMs / 1000);
        log(`  filled at ${fmt(lastRate)} jobs/s in ${(fillMs / 1000).toFixed(1)} s`);
      }
      const added = goal - stored;
      stored = goal;
      log(`  measure at depth ${fmt(goal)}`);
      depths.push(await depthPoint(env, db, store, goal, fillMs, added));
    }
  } finally {
    store.close();
    await db.remove();
  }
  return {
    depths,
    filled_with: "scheduled jobs (run_at 2100-01-01), so that the B4 workers stay idle; " +
      "a scheduled job has three keys (record, state index, scheduled index), one more " +
      "than a pending one",
    capped,
  };
}

const rows = buildTable(results);

console.log(
  `\nqueuectl bench (${args.smoke ? "smoke: sizes too small for the goals" : "full"}) — ` +
    `${machine.date}, ${machine.nproc} x ${machine.cpu_model}, ${machine.mem_total_mib} MiB, ` +
    `deno ${machine.deno}, commit ${String(machine.git_commit).slice(0, 12)}` +
    `${machine.git_dirty ? " (dirty)" : ""}`,
);
console.log(
  `load average at start ${loads.start!.join(" ")}, at end ${loads.end!.join(" ")}; ` +
    `run took ${elapsed().toFixed(0)} s\n`,
);
printTable(rows);
printDetails(results);
for (const n of notes) console.log(`\nnote: ${n}`);

// Only a full run of every workload replaces bench/results.json; smoke and partial runs go to a temp file.
const out = args.out ??
  (args.smoke || args.only
    ? `${Deno.env.get("TMPDIR") ?? "/tmp"}/queuectl-bench-${args.smoke ? "smoke" : "partial"}.json`
    : fileURLToPath(new URL("results.json", import.meta.url)));
const doc = {
  schema: 1,
  mode: args.smoke ? "smoke" : "full",
  only: args.only ? [...args.only] : null,
  machine,
  duration_s: Math.round(elapsed()),
  load: loads,
  sizes,
  results,
  table: rows,
  notes,
  errors,
};
await Deno.writeTextFile(out, JSON.stringify(doc, null, 2) + "\n");
console.log(`\nwrote ${out}`);

if (errors.length > 0) {
  console.error(`\nbench: ${errors.length} workload(s) failed:\n${errors.join("\n")}`);
  Deno.exit(1);
}
if (args.smoke) {
  // Smoke: the workloads ran and produced numbers; no timing is asserted.
  const bad = rows.filter((r) => /NaN|Infinity/.test(r.value));
  if (bad.length > 0 || (rows.length === 0 && args.only === null)) {
    console.error(
      `bench: smoke produced no usable figures: ${bad.map((r) => r.figure).join(", ")}`,
    );
    Deno.exit(1);
  }
  console.log("smoke: ok");
}
