/**
 * `deno task bench`: queuectl's benchmark suite (issue #6). Every workload runs end to end through
 * the real CLI and real worker subprocesses on temp databases, never the user's own.
 *
 * ```sh
 * deno task bench                 # full run (< 10 min on 2 cores); writes bench/results.json
 * deno task bench --smoke         # tiny sizes for CI (< 60 s); checks it works, asserts no timings
 * deno task bench --only B1,B3    # a subset: P (primitives), B1-B6, PROF (B7 comes with B3)
 * deno task bench --max-depth 100000 --out /tmp/r.json
 * ```
 *
 * @module
 */
import { fileURLToPath } from "node:url";
import type { Row } from "./lib.ts";
import {
  alive,
  fmt,
  loadavg,
  machineInfo,
  ms,
  type Summary,
  TempDb,
  type WorkerGroup,
} from "./lib.ts";
import {
  type B1,
  b1,
  type B2,
  b2,
  type B3,
  b3,
  b4,
  type B5,
  b5,
  type DepthPoint,
  depthPoint,
  type EnqueueProfile,
  type Env,
  fill,
  FULL,
  type Latency,
  type Primitives,
  primitives,
  type Profile,
  profile,
  profileEnqueue,
  SMOKE,
} from "./workloads.ts";

/** Whole-run time limit of the issue (seconds); `--budget` changes it. */
let BUDGET_S = 600;
/** What the fill may use of it: the rest is kept for measuring at the last depth and margin. */
const FILL_RESERVE_S = 60;

interface Args {
  smoke: boolean;
  only: Set<string> | null;
  out: string | null;
  maxDepth: number | null;
  budget: number | null;
}

function parseArgs(argv: string[]): Args {
  const args: Args = {
    smoke: false,
    only: null,
    out: null,
    maxDepth: null,
    budget: null,
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const value = () => {
      const eq = a.indexOf("=");
      if (eq >= 0) return a.slice(eq + 1);
      const v = argv[++i];
      if (v === undefined) usage(`${a} needs a value`);
      return v;
    };
    if (a === "--smoke") args.smoke = true;
    else if (a.startsWith("--only")) {
      args.only = new Set(value().toUpperCase().split(",").map((s) => s.trim()));
    } else if (a.startsWith("--out")) args.out = value();
    else if (a.startsWith("--max-depth")) args.maxDepth = Number(value());
    else if (a.startsWith("--budget")) args.budget = Number(value());
    else if (a === "-h" || a === "--help") usage(null);
    else usage(`unknown argument ${a}`);
  }
  return args;
}

function usage(error: string | null): never {
  const text = "usage: deno task bench [--smoke] [--only P,B1,B2,B3,B4,B5,B6,PROF] " +
    "[--max-depth N] [--budget SECONDS] [--out results.json]";
  if (error) {
    console.error(`bench: ${error}\n${text}`);
    Deno.exit(2);
  }
  console.log(text);
  Deno.exit(0);
}

/** Everything one run found. */
interface Results {
  primitives?: Primitives;
  B1?: B1;
  B2?: B2;
  B3?: B3;
  B4?: Latency;
  B5?: B5;
  B6?: { depths: DepthPoint[]; filled_with: string; capped: string | null };
  profile?: Profile;
  profile_enqueue?: EnqueueProfile;
}

const args = parseArgs(Deno.args);
const sizes = args.smoke ? SMOKE : FULL;
if (args.maxDepth !== null) {
  sizes.b6Depths = sizes.b6Depths.filter((d) => d <= args.maxDepth!);
  if (!sizes.b6Depths.includes(args.maxDepth)) sizes.b6Depths.push(args.maxDepth);
}
if (args.budget !== null) BUDGET_S = args.budget;
const want = (id: string) => args.only === null || args.only.has(id);
const t0 = performance.now();
const elapsed = () => (performance.now() - t0) / 1000;
const log = (line: string) => console.error(`[${elapsed().toFixed(1).padStart(6)}s] ${line}`);
const tmp = await Deno.makeTempDir({ prefix: "queuectl-bench-" });
const running = new Set<Promise<WorkerGroup>>();
const env: Env = { sizes, tmp, log, running };
const results: Results = {};
const errors: string[] = [];
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
  results.B5 = await step("B5", `retry lateness, ${sizes.b5Jobs} jobs`, () => b5(env));
  results.profile = await step("PROF", "profile of 2 probed workers", () => profile(env));
  results.profile_enqueue = await step(
    "PROF",
    `profile of a bulk enqueue of ${fmt(sizes.b2Jobs / 5)} jobs`,
    () => profileEnqueue(env, sizes.b2Jobs / 5),
  );
  results.B6 = await step("B6", `cost at depth ${sizes.b6Depths.join(", ")}`, () => runB6());
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

// ---------------------------------------------------------------------------------------------
// The table

const rows: Row[] = [];
const add = (r: Row) => rows.push(r);
const p50p95 = (s: Summary) => `${ms(s.p50)} (p95 ${ms(s.p95)})`;
const ratio = (a: number, b: number) => `${(a / b).toFixed(2)}x`;

if (results.primitives) {
  const p = results.primitives;
  const prim = (figure: string, s: Summary) =>
    add({ id: "P", figure, value: p50p95(s), ref: "", goal: "", met: null });
  prim("KV atomic commit, 1 set", p.commit_set1);
  prim("KV atomic commit, claim-shaped (2 checks, 7 mutations)", p.commit_claim_like);
  prim("KV set (a heartbeat)", p.kv_set);
  prim("KV get, 1 key", p.get1);
  prim("KV getMany, 8 keys", p.get_many8);
  prim("KV list, 8 entries", p.list8);
  prim("Deno.Command spawn of `true`, to exit", p.spawn_true);
  prim("Deno.Command spawn of `sh -c true`, to exit", p.spawn_sh_true);
  prim("Deno.Command `sh -c true`, detached: true only", p.spawn_sh_true_detached);
  prim("Deno.Command `sh -c true`, env only", p.spawn_sh_true_env);
  prim("`sh -c true` worker-style (detached, env, piped output)", p.spawn_sh_true_worker_style);
  if (p.spawn_setsid_sh_true_piped) {
    prim("`setsid sh -c true`, piped output (no detached/env)", p.spawn_setsid_sh_true_piped);
  }
  if (p.spawn_run_command) {
    prim('the worker\'s spawn: `runCommand("true")`, piped, job env', p.spawn_run_command);
  }
  prim("Deno.writeFile of 1 byte (doorbell ring)", p.write_file);
  for (const c of p.commit_ceiling) {
    add({
      id: "P",
      figure: `job-sized commits in a row, ${c.processes} process(es) on one file`,
      value: `${fmt(c.per_s)} commits/s`,
      ref: `${c.locked_per_commit} "database is locked" per commit`,
      goal: "",
      met: null,
    });
  }
}
if (results.B1) {
  const b = results.B1;
  add({
    id: "B1",
    figure: "enqueue, one whole CLI process (median)",
    value: p50p95(b.enqueue),
    ref: `${ratio(b.enqueue.p50, b.deno_empty.p50)} of empty deno run, ` +
      `${ratio(b.enqueue.p50, b.deno_kv_work.p50)} of its bare KV work`,
    goal: "<= 50 ms",
    met: b.enqueue.p50 <= 50,
  });
  add({
    id: "B1",
    figure: "  queuectl --version (start-up, no database)",
    value: p50p95(b.cli_version),
    ref: "",
    goal: "",
    met: null,
  });
  add({
    id: "B1",
    figure: "  deno run of a script that only imports @stricli/core (npm)",
    value: p50p95(b.deno_parser),
    ref: "",
    goal: "",
    met: null,
  });
  add({
    id: "B1",
    figure: "  baseline: deno run of an empty script",
    value: p50p95(b.deno_empty),
    ref: "",
    goal: "",
    met: null,
  });
  add({
    id: "B1",
    figure: "  baseline: the same KV work in a bare script (open, config, commit, bell, close)",
    value: p50p95(b.deno_kv_work),
    ref: `${ratio(b.deno_kv_work.p50, b.deno_empty.p50)} of empty deno run`,
    goal: "",
    met: null,
  });
  add({
    id: "B1",
    figure: "  baseline: sh -c true",
    value: p50p95(b.sh_true),
    ref: "",
    goal: "",
    met: null,
  });
}
if (results.B2) {
  const b = results.B2;
  add({
    id: "B2",
    figure: `bulk enqueue of ${fmt(b.jobs)} jobs (NDJSON)`,
    value: `${fmt(b.jobs_per_s)} jobs/s`,
    ref: `${(b.wall_ms / 1000).toFixed(1)} s, peak RSS ${b.peak_rss_mib} MiB`,
    goal: ">= 20,000 jobs/s",
    met: b.jobs_per_s >= 20_000,
  });
}
if (results.B3) {
  const b = results.B3;
  add({
    id: "B3",
    figure: `floor: ${fmt(b.floor1.spawns)} x sh -c true, 1 Deno process`,
    value: `${fmt(b.floor1.per_s)} /s`,
    ref:
      `CPU/spawn: Deno ${b.floor1.parent_cpu_ms_per_spawn} ms, sh ${b.floor1.shell_cpu_ms_per_spawn} ms`,
    goal: "",
    met: null,
  });
  add({
    id: "B3",
    figure: `floor: ${fmt(b.floor2.spawns)} x sh -c true, 2 Deno processes`,
    value: `${fmt(b.floor2.per_s)} /s`,
    ref:
      `CPU/spawn: Deno ${b.floor2.parent_cpu_ms_per_spawn} ms, sh ${b.floor2.shell_cpu_ms_per_spawn} ms`,
    goal: "",
    met: null,
  });
  const durable = b.durable2;
  if (durable) {
    add({
      id: "B3",
      figure: `durable floor: ${fmt(durable.commits)} x (1 commit + sh -c true), 2 processes`,
      value: `${fmt(durable.per_s)} /s`,
      ref: `${ratio(durable.per_s, b.floor2.per_s)} of 2-process floor; ` +
        `${durable.locked_per_commit} "database is locked" per commit`,
      goal: "",
      met: null,
    });
  }
  for (const d of b.drains) {
    const f = d.workers === 1 ? b.floor1 : b.floor2;
    const goal = d.workers === 2 ? ">= 0.5x 2-process floor" : "";
    const ofDurable = durable && d.workers > 1
      ? `; ${ratio(d.jobs_per_s, durable.per_s)} of durable floor`
      : "";
    add({
      id: "B3",
      figure: `drain ${fmt(d.jobs)} true jobs, ${d.workers} worker(s)`,
      value: `${fmt(d.jobs_per_s)} jobs/s`,
      ref: `${ratio(d.jobs_per_s, f.per_s)} of ${f.processes}-process floor${ofDurable}`,
      goal,
      met: d.workers === 2 ? d.jobs_per_s >= 0.5 * f.per_s : null,
    });
    add({
      id: "B3",
      figure: `  ${d.workers} worker(s), steady state (start-up ${fmt(d.startup_ms)} ms excluded)`,
      value: `${fmt(d.steady_jobs_per_s)} jobs/s`,
      ref: `${ratio(d.steady_jobs_per_s, f.per_s)} of floor`,
      goal: "",
      met: null,
    });
  }
}
if (results.B4) {
  const l = results.B4.to_claim;
  add({
    id: "B4",
    figure: "enqueue-to-start latency, 2 idle workers, p50",
    value: ms(l.p50),
    ref: `to spawn: ${ms(results.B4.to_spawn.p50)}`,
    goal: "<= 10 ms",
    met: l.p50 <= 10,
  });
  add({ id: "B4", figure: "  p95", value: ms(l.p95), ref: "", goal: "", met: null });
  add({
    id: "B4",
    figure: "  p99",
    value: ms(l.p99),
    ref: `to spawn: ${ms(results.B4.to_spawn.p99)}`,
    goal: "<= 50 ms",
    met: l.p99 <= 50,
  });
}
if (results.B5) {
  const l = results.B5.lateness;
  add({
    id: "B5",
    figure: `retry lateness after backoff (${results.B5.jobs} jobs), p50`,
    value: ms(l.p50),
    ref: `max ${ms(l.max)}`,
    goal: "<= 50 ms",
    met: l.p50 <= 50,
  });
}
if (results.B6 && results.B6.depths.length > 0) {
  const ds = results.B6.depths;
  const base = ds[0]!;
  const last = ds[ds.length - 1]!;
  const at = `at ${fmt(last.depth)} jobs`;
  const within = (a: number, b: number) => a <= 2 * b;
  const fig = (name: string, get: (d: DepthPoint) => number, abs: number | null) => {
    const v = get(last);
    const b = get(base);
    const absOk = abs === null ? true : v <= abs;
    const oneMillion = last.depth >= 1_000_000;
    add({
      id: "B6",
      figure: `${name} ${at}`,
      value: ms(v),
      ref: `${ratio(v, b)} of empty (${ms(b)})`,
      goal: `${abs === null ? "" : `<= ${abs} ms at 1M, `}<= 2x empty`,
      met: oneMillion || abs === null ? within(v, b) && absOk : null,
    });
  };
  fig("enqueue CLI", (d) => d.enqueue.p50, null);
  fig("status CLI", (d) => d.status.p50, 100);
  fig("list --limit 50 CLI", (d) => d.list50.p50, 150);
  fig("list --state scheduled --limit 50 CLI", (d) => d.list50_state.p50, null);
  fig("B4 latency p50", (d) => d.latency.to_claim.p50, null);
}
if (results.B3) {
  const d = results.B3.drains.find((x) => x.workers === 2) ?? results.B3.drains[0];
  if (d) {
    const worst = Math.max(...d.usage.worker_peak_rss_mib);
    const split = d.usage.worker_rss_split_mib[d.usage.worker_peak_rss_mib.indexOf(worst)];
    add({
      id: "B7",
      figure: `worker peak RSS (VmHWM, max of ${d.workers}, after ${fmt(d.jobs)} jobs)`,
      value: `${worst} MiB`,
      ref: split ? `now: ${split.anon} MiB private + ${split.file} MiB shared code` : "",
      goal: "<= 80 MiB",
      met: worst <= 80,
    });
    add({
      id: "B7",
      figure: "supervisor peak RSS",
      value: `${d.usage.supervisor_peak_rss_mib} MiB`,
      ref: "",
      goal: "",
      met: null,
    });
    add({
      id: "B7",
      figure: `database bytes per completed job (file + WAL, ${fmt(d.jobs)} jobs, at rest)`,
      value: `${fmt(d.db_bytes_per_completed_job_at_rest)} B`,
      ref: `live, WAL included: ${fmt(d.db_bytes_per_completed_job)} B` +
        (results.B2 ? `; pending job: ${fmt(results.B2.db_bytes_per_pending_job)} B` : ""),
      goal: "",
      met: null,
    });
  }
}

function printTable(): void {
  const head: Row = {
    id: "",
    figure: "figure",
    value: "value",
    ref: "baseline / ratio",
    goal: "goal",
    met: null,
  };
  const cells = (r: Row) => [
    r.id,
    r.figure,
    r.value,
    r.ref,
    r.goal,
    r === head ? "met" : r.met === null ? "" : r.met ? "yes" : "NO",
  ];
  const all = [head, ...rows].map(cells);
  const widths = all[0]!.map((_, i) => Math.max(...all.map((c) => c[i]!.length)));
  for (const [i, c] of all.entries()) {
    console.log(c.map((x, j) => x.padEnd(widths[j]!)).join("  ").trimEnd());
    if (i === 0) console.log(widths.map((w) => "-".repeat(w)).join("  "));
  }
}

function printDetails(): void {
  if (results.B3) {
    console.log("\nB3 per job, from the job and attempt records (ms, means per job per worker):");
    console.log(
      "workers  claim+setup  command  finish+loop  cycle  | cpu/job: machine  workers  shells  supervisor  | machine busy",
    );
    for (const d of results.B3.drains) {
      const t = d.timeline;
      const u = d.usage;
      console.log(
        `${String(d.workers).padStart(7)}  ${t.claim_and_setup_ms.toFixed(2).padStart(11)}  ` +
          `${t.command_ms.toFixed(2).padStart(7)}  ${
            t.finish_and_loop_ms.toFixed(2).padStart(11)
          }  ` +
          `${t.cycle_ms.toFixed(2).padStart(5)}  | ${
            d.machine_cpu_ms_per_job.toFixed(2).padStart(16)
          }  ` +
          `${u.worker_cpu_ms_per_job.toFixed(2).padStart(7)}  ${
            u.shell_cpu_ms_per_job.toFixed(2).padStart(6)
          }  ` +
          `${u.supervisor_cpu_ms_per_job.toFixed(2).padStart(10)}  | ${
            Math.round(d.machine_cpu_busy * 100)
          }%`,
      );
    }
  }
  if (results.profile) {
    const p = results.profile;
    console.log(
      `\nProfile: ${p.workers} workers with the probe, ${p.jobs} jobs, ${
        fmt(p.steady_jobs_per_s)
      } ` +
        `jobs/s steady, ${p.cycle_ms} ms per job per worker; CPU/job: worker ${p.cpu_ms_per_job.worker} ms, ` +
        `shells ${p.cpu_ms_per_job.shells} ms; memory at stop (MiB): ` +
        p.worker_memory_mib.map((m) =>
          `rss ${m.rss}, V8 heap ${m.heap_used}/${m.heap_total}, external ${m.external}`
        ).join("; "),
    );
    console.log(
      "call                                              per job  mean ms  p50 ms  ms/job",
    );
    for (const [op, o] of Object.entries(p.ops)) {
      console.log(
        `${op.padEnd(48)}  ${o.per_job.toFixed(2).padStart(7)}  ${
          o.mean_ms.toFixed(3).padStart(7)
        }  ` +
          `${o.p50_ms.toFixed(3).padStart(6)}  ${o.ms_per_job.toFixed(3).padStart(6)}`,
      );
    }
    if (p.one_cycle.length) {
      console.log("one job cycle of one worker (start offset ms, duration ms, call):");
      for (const e of p.one_cycle) {
        console.log(
          `  +${e.at_ms.toFixed(2).padStart(7)}  ${e.ms.toFixed(2).padStart(6)}  ${e.op}`,
        );
      }
    }
  }
  if (results.profile_enqueue) {
    const e = results.profile_enqueue;
    console.log(
      `\nProfile of enqueue --file with ${fmt(e.jobs)} jobs: ${fmt(e.wall_ms)} ms wall ` +
        `(${fmt(e.process_ms)} ms inside the process, CPU ${fmt(e.cpu_ms)} ms); ` +
        `${e.commits} commits of ${e.jobs_per_commit} jobs, ${e.commit_mean_ms} ms each ` +
        `(up to two in flight), ${fmt(e.commit_busy_ms)} ms with a commit in flight; ` +
        `other KV ${fmt(e.other_kv_ms)} ms; the rest (start-up, parsing, validation, ` +
        `the first batch, close) ${fmt(e.rest_ms)} ms`,
    );
  }
  if (results.B6) {
    console.log(`\nB6 by depth (medians, ms; filled with ${results.B6.filled_with}):`);
    console.log(
      "    depth  fill jobs/s   db MiB  enqueue   status  list 50  list state 50  B4 p50  B4 p99",
    );
    for (const d of results.B6.depths) {
      console.log(
        `${fmt(d.depth).padStart(9)}  ${
          (d.fill_jobs_per_s ? fmt(d.fill_jobs_per_s) : "-").padStart(11)
        }  ` +
          `${d.db_mib.toFixed(1).padStart(7)}  ${d.enqueue.p50.toFixed(1).padStart(7)}  ` +
          `${d.status.p50.toFixed(1).padStart(7)}  ${d.list50.p50.toFixed(1).padStart(7)}  ` +
          `${d.list50_state.p50.toFixed(1).padStart(13)}  ${
            d.latency.to_claim.p50.toFixed(1).padStart(6)
          }  ` +
          `${d.latency.to_claim.p99.toFixed(1).padStart(6)}`,
      );
    }
  }
}

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
printTable();
printDetails();
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
