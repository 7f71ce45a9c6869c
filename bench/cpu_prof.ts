/**
 * Where a worker's main JS thread spends its time: drains N `true` jobs with one `worker run`
 * process started with `--cpu-prof`, then prints the V8 profile's hottest functions, by self
 * time and by total (inclusive) time, in µs per job. Not part of `deno task bench`.
 *
 * ```sh
 * deno run -A bench/cpu_prof.ts [--jobs 3000] [--top 40] [--root DIR] [--keep DIR]
 * ```
 *
 * @module
 */
import { countJobs } from "../src/store/mod.ts";
import { bulkEnqueue } from "./enqueue_workloads.ts";
import { ROOT, spawnWorkerRun, TempDb, waitUntil } from "./lib.ts";

const argv = [...Deno.args];
const flag = (name: string, def: string) => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1]! : def;
};
const n = Number(flag("--jobs", "3000"));
const top = Number(flag("--top", "40"));
const root = flag("--root", ROOT);
const keep = flag("--keep", "");

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const tmp = await Deno.makeTempDir({ prefix: "queuectl-prof-" });
const db = await TempDb.create(tmp, "prof");
const profDir = keep || `${tmp}/prof`;
try {
  await bulkEnqueue(db, n, '{"command":"true"}', "prof");
  const store = await db.open();
  const child = spawnWorkerRun(db, {
    root,
    denoFlags: ["--cpu-prof", `--cpu-prof-dir=${profDir}`],
  });
  await waitUntil(`${n} jobs`, async () => (await countJobs(store)).completed >= n, 600_000, 50);
  store.close();
  child.kill("SIGTERM");
  await child.status;
  const file = [...Deno.readDirSync(profDir)].find((e) => e.name.endsWith(".cpuprofile"))!;
  const profile: Profile = JSON.parse(await Deno.readTextFile(`${profDir}/${file.name}`));
  report(profile);
} finally {
  await Deno.remove(tmp, { recursive: true }).catch(() => {});
}

function report(p: Profile): void {
  const byId = new Map(p.nodes.map((x) => [x.id, x]));
  const parent = new Map<number, number>();
  for (const x of p.nodes) for (const c of x.children ?? []) parent.set(c, x.id);
  const self = new Map<number, number>();
  let total = 0;
  for (const [i, id] of p.samples.entries()) {
    const dt = p.timeDeltas[i] ?? 0;
    self.set(id, (self.get(id) ?? 0) + dt);
    total += dt;
  }
  const name = (x: ProfileNode) => {
    const f = x.callFrame;
    const url = f.url.replace(/^file:\/\/.*?\/(src|bench|main)/, "$1").replace(/^ext:/, "ext:");
    return `${f.functionName || "(anon)"} ${url}:${f.lineNumber + 1}`;
  };
  const selfBy = new Map<string, number>();
  const inclBy = new Map<string, number>();
  for (const [id, us] of self) {
    const x = byId.get(id)!;
    const k = name(x);
    selfBy.set(k, (selfBy.get(k) ?? 0) + us);
    // Inclusive: every distinct frame on the stack gets the sample once.
    const seen = new Set<string>();
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const key = name(byId.get(cur)!);
      if (seen.has(key)) continue;
      seen.add(key);
      inclBy.set(key, (inclBy.get(key) ?? 0) + us);
    }
  }
  const idle = selfBy.get("(idle) :0") ?? 0;
  console.log(
    `${n} jobs: profile ${(total / 1000).toFixed(0)} ms, idle ${(idle / 1000).toFixed(0)} ms, ` +
      `busy ${((total - idle) / n / 1000).toFixed(3)} ms/job`,
  );
  const print = (title: string, m: Map<string, number>) => {
    console.log(`\n${title} (µs per job)`);
    for (const [k, us] of [...m].sort((a, b) => b[1] - a[1]).slice(0, top)) {
      console.log(`${(us / n).toFixed(1).padStart(8)}  ${k}`);
    }
  };
  print("self", selfBy);
  print("total", inclBy);
}
