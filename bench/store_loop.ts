/**
 * The store's share of a worker's CPU, without the job processes: enqueues N jobs, then runs a
 * worker's store calls back to back in this process (claim, then `finishAndClaimNext` with a
 * made-up success, and `promoteDue` as often as the worker loop calls it), and prints CPU µs per
 * job of the main JS thread (`clock_gettime(CLOCK_THREAD_CPUTIME_ID)` through FFI) and of Deno
 * KV's SQLite thread (`/proc/self/task`), with mutations and approximate bytes per handoff. With
 * no spawns in the loop, a change to the store shows up here an order of magnitude more clearly
 * than in a whole drain. Not part of `deno task bench`.
 *
 * ```sh
 * deno run -A bench/store_loop.ts [--jobs 3000] [--reps 3] [--root DIR]...
 * ```
 *
 * @module
 */
import { ROOT } from "./lib.ts";

const argv = [...Deno.args];
const flag = (name: string, def: string) => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1]! : def;
};
const n = Number(flag("--jobs", "3000"));
const reps = Number(flag("--reps", "3"));
const roots = argv.flatMap((a, i) => (a === "--root" ? [argv[i + 1]!] : []));
if (roots.length === 0) roots.push(ROOT);

if (Deno.env.get("STORE_LOOP_CHILD") === "1") await child(Deno.args[0]!, n);
else await parent();

/** Runs each tree's loop in its own process, interleaved, A B A B … */
async function parent(): Promise<void> {
  const self = new URL(import.meta.url).pathname;
  for (let r = 0; r < reps; r++) {
    for (const root of roots) {
      const out = await new Deno.Command(Deno.execPath(), {
        args: ["run", "-A", "--unstable-kv", "--config", `${root}/deno.json`, self, root, ...argv],
        env: { STORE_LOOP_CHILD: "1" },
        stderr: "inherit",
      }).output();
      const line = new TextDecoder().decode(out.stdout).trim();
      console.log(`${root.padEnd(24)} ${line}  load ${Deno.loadavg()[0]!.toFixed(2)}`);
    }
  }
}

async function child(root: string, jobs: number): Promise<void> {
  const store = await import(`${root}/src/store/mod.ts`);
  const db = await import(`${root}/src/store/db.ts`);
  const { DEFAULT_CONFIG } = await import(`${root}/src/config.ts`);
  // A tree with per-worker metric tallies gets one, as its worker loop would pass.
  const tallyModule = await import(`${root}/src/store/metric_tally.ts`).catch(() => null);
  const libc = Deno.dlopen("libc.so.6", {
    clock_gettime: { parameters: ["i32", "buffer"], result: "i32" },
  });
  const ts = new BigInt64Array(2);
  const threadUs = () => {
    libc.symbols.clock_gettime(3, ts); // CLOCK_THREAD_CPUTIME_ID
    return Number(ts[0]) * 1e6 + Number(ts[1]) / 1e3;
  };
  const sqliteMs = () => {
    let ms = 0;
    for (const e of Deno.readDirSync(`/proc/${Deno.pid}/task`)) {
      const stat = Deno.readTextFileSync(`/proc/${Deno.pid}/task/${e.name}/stat`);
      if (!stat.includes("(sw-")) continue;
      const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      ms += (Number(f[11]) + Number(f[12])) * 10;
    }
    return ms;
  };
  // Count what each handoff commit carries.
  let mutations = 0;
  let bytes = 0;
  let commits = 0;
  const commit = db.Db.prototype.commit;
  db.Db.prototype.commit = function (this: unknown, tx: { mutations: unknown[]; bytes: number }) {
    commits++;
    mutations += tx.mutations.length;
    bytes += tx.bytes;
    return commit.call(this, tx);
  };
  const dir = await Deno.makeTempDir({ prefix: "queuectl-loop-" });
  const s = await store.openStore(`${dir}/q.kv`);
  try {
    const now0 = Date.now();
    const specs = Array.from({ length: jobs }, () => ({
      command: "true",
      priority: 0,
      timeout: null,
    }));
    await store.enqueueJobs(s, specs, { now: now0, maxRetries: 3 });
    const workerId = `${Deno.hostname()}:${Deno.pid}:0`;
    const tally = tallyModule ? new tallyModule.MetricTally(workerId) : undefined;
    const report = {
      outcome: "succeeded",
      exit_code: 0,
      error: null,
      signal: null,
      duration_ms: 1,
      output: { stdout_bytes: 0, stderr_bytes: 0, truncated: false },
    };
    let claimed = await store.claimNext(s, { workerId, now: Date.now(), tally });
    commits = mutations = bytes = 0;
    const cpu0 = threadUs();
    const sql0 = sqliteMs();
    const t0 = performance.now();
    let done = 0;
    let promotedAt = 0;
    while (claimed) {
      const now = Date.now();
      if (now - promotedAt >= 20) {
        promotedAt = now;
        await store.promoteDue(s, { now });
      }
      const h = await store.finishAndClaimNext(s, claimed, report, {
        now,
        settings: DEFAULT_CONFIG,
        tally,
      });
      done++;
      claimed = h.next;
    }
    const cpu = (threadUs() - cpu0) / done;
    const sql = (sqliteMs() - sql0) * 1000 / done;
    const wall = (performance.now() - t0) * 1000 / done;
    console.log(
      `${done} handoffs: main ${cpu.toFixed(0)} µs/job  sqlite ${sql.toFixed(0)} µs/job  ` +
        `wall ${wall.toFixed(0)} µs/job  ${(mutations / commits).toFixed(1)} mutations, ` +
        `~${(bytes / commits).toFixed(0)} B per commit`,
    );
  } finally {
    s.close();
    await Deno.remove(dir, { recursive: true });
  }
}
