/**
 * A profiling probe for a real worker process, loaded with `deno run --preload bench/kv_probe.ts`.
 * It wraps the Deno APIs the worker uses — Deno KV reads and commits, `Deno.Command` spawns and
 * the FFI spawner's `posix_spawn` and `waitpid`, and `Deno.writeFile` (the doorbell) — counting and timing each call, without any change to the
 * program. The tally is written as JSON to `$QUEUECTL_BENCH_PROBE_DIR/probe-<pid>.json` every
 * 500 ms and when the process exits.
 *
 * Times are from the call until its promise settles, so they include waiting for the event loop;
 * calls that overlap (a heartbeat during a job) are each counted in full.
 *
 * @module
 */

/** Running totals for one kind of call. */
interface Tally {
  count: number;
  totalMs: number;
  samples: number[];
}

/** One call, for the trace of the most recent calls. */
interface TraceEvent {
  op: string;
  at: number;
  ms: number;
}

const dir = Deno.env.get("QUEUECTL_BENCH_PROBE_DIR");
const tallies = new Map<string, Tally>();
const trace: TraceEvent[] = [];
const TRACE_MAX = 400;
const SAMPLES_MAX = 20_000;
const now = () => performance.now();

function record(op: string, t0: number): void {
  const ms = now() - t0;
  let t = tallies.get(op);
  if (!t) tallies.set(op, t = { count: 0, totalMs: 0, samples: [] });
  t.count++;
  t.totalMs += ms;
  if (t.samples.length < SAMPLES_MAX) t.samples.push(Math.round(ms * 1000) / 1000);
  trace.push({ op, at: Math.round(t0 * 1000) / 1000, ms: Math.round(ms * 1000) / 1000 });
  if (trace.length > TRACE_MAX) trace.shift();
}

/** Resolves like `p`, recording the call under `op` (or `op ERROR <kind>` if it rejected). */
function timed<T>(p: Promise<T>, op: () => string, t0: number): Promise<T> {
  return p.then((v) => {
    record(op(), t0);
    return v;
  }, (err) => {
    const msg = err instanceof Error ? err.message : String(err);
    record(`${op()} ERROR ${/locked|busy/i.test(msg) ? "database is locked" : "other"}`, t0);
    throw err;
  });
}

// Wall time with at least one commit in flight: commits that overlap (a bulk enqueue keeps two
// in flight) count once here, where their tallies count each in full.
let commitsInFlight = 0;
let busySince = 0;
let commitBusyMs = 0;
function commitStarted(t0: number): void {
  if (commitsInFlight++ === 0) busySince = t0;
}
function commitEnded(): void {
  if (--commitsInFlight === 0) commitBusyMs += now() - busySince;
}

function head(key: unknown): string {
  return Array.isArray(key) && key.length > 0 ? String(key[0]) : "?";
}

function selectorHead(selector: unknown): string {
  const s = selector as { prefix?: unknown[]; start?: unknown[] };
  return head(s.prefix ?? s.start);
}

// deno-lint-ignore no-explicit-any
type AnyFn = (...args: any[]) => any;

function patch(proto: object, name: string, wrap: (orig: AnyFn) => AnyFn): void {
  const orig = (proto as Record<string, AnyFn>)[name];
  if (typeof orig !== "function") return;
  Object.defineProperty(proto, name, {
    value: wrap(orig),
    configurable: true,
    writable: true,
  });
}

if (dir) {
  const kvProto = Deno.Kv.prototype as unknown as object;
  patch(kvProto, "get", (orig) =>
    function (this: unknown, key: unknown, ...rest: unknown[]) {
      const t0 = now();
      return timed(orig.call(this, key, ...rest), () => `get ${head(key)}`, t0);
    });
  patch(
    kvProto,
    "getMany",
    (orig) =>
      function (this: unknown, keys: unknown[], ...rest: unknown[]) {
        const t0 = now();
        return orig.call(this, keys, ...rest).finally(() =>
          record(`getMany ${head(keys[0])} x${keys.length}`, t0)
        );
      },
  );
  patch(kvProto, "set", (orig) =>
    function (this: unknown, key: unknown, ...rest: unknown[]) {
      const t0 = now();
      return timed(orig.call(this, key, ...rest), () => `set ${head(key)}`, t0);
    });
  patch(kvProto, "list", (orig) =>
    function (this: unknown, selector: unknown, ...rest: unknown[]) {
      const t0 = now();
      const iter = orig.call(this, selector, ...rest);
      const next = iter.next.bind(iter);
      let n = 0;
      iter.next = async () => {
        let r;
        try {
          r = await next();
        } catch (err) {
          const msg = err instanceof Error ? err.message : String(err);
          const kind = /locked|busy/i.test(msg) ? "database is locked" : "other";
          record(`list ${selectorHead(selector)} ERROR ${kind}`, t0);
          throw err;
        }
        if (r.done) record(`list ${selectorHead(selector)} (${n > 0 ? "found" : "empty"})`, t0);
        else n++;
        return r;
      };
      return iter;
    });

  const ops = new WeakMap<object, { checks: string[]; muts: number }>();
  const opInfo = (op: object) => {
    let info = ops.get(op);
    if (!info) ops.set(op, info = { checks: [], muts: 0 });
    return info;
  };
  let atomicPatched = false;
  patch(kvProto, "atomic", (orig) =>
    function (this: unknown) {
      const op = orig.call(this);
      if (!atomicPatched) {
        atomicPatched = true;
        const opProto = Object.getPrototypeOf(op);
        patch(opProto, "check", (o) =>
          function (this: object, ...checks: { key: unknown }[]) {
            for (const c of checks) opInfo(this).checks.push(head(c.key));
            return o.apply(this, checks);
          });
        for (const m of ["set", "delete", "sum", "mutate"]) {
          patch(opProto, m, (o) =>
            function (this: object, ...args: unknown[]) {
              opInfo(this).muts += m === "mutate" ? args.length : 1;
              return o.apply(this, args);
            });
        }
        patch(opProto, "commit", (o) =>
          function (this: object) {
            const t0 = now();
            const info = opInfo(this);
            const label = `commit [${info.checks.join("+")}] ${info.muts} mutations`;
            commitStarted(t0);
            return o.call(this).finally(commitEnded).then((res: { ok: boolean }) => {
              record(res.ok ? label : `${label} CONFLICT`, t0);
              return res;
            }, (err: unknown) => {
              const msg = err instanceof Error ? err.message : String(err);
              record(
                `${label} ERROR ${/locked|busy/i.test(msg) ? "database is locked" : "other"}`,
                t0,
              );
              throw err;
            });
          });
      }
      return op;
    });

  patch(Deno.Command.prototype, "spawn", (orig) =>
    function (this: unknown) {
      const t0 = now();
      const child = orig.call(this);
      record("spawn (sync part)", t0);
      child.status.then(() => record("child: spawn to exit", t0), () => {});
      return child;
    });

  // The worker's FFI spawner (src/worker/spawn_session.ts): the same two rows as for Deno.Command.
  const dlopen = Deno.dlopen;
  Object.defineProperty(Deno, "dlopen", {
    value: (...args: Parameters<typeof dlopen>) => {
      const lib = dlopen(...args);
      // deno-lint-ignore no-explicit-any
      const symbols: Record<string, any> = { ...lib.symbols };
      let spawnedAt = 0;
      if (typeof symbols.posix_spawn === "function") {
        const spawn = symbols.posix_spawn;
        symbols.posix_spawn = (...a: unknown[]) => {
          spawnedAt = now();
          const rc = spawn(...a);
          record("spawn (sync part)", spawnedAt);
          return rc;
        };
      }
      if (typeof symbols.waitpid === "function") {
        const waitpid = symbols.waitpid;
        symbols.waitpid = (...a: unknown[]) =>
          waitpid(...a).then((r: number) => {
            record("child: spawn to exit", spawnedAt);
            return r;
          });
      }
      return { symbols, close: () => lib.close() };
    },
    configurable: true,
    writable: true,
  });

  const writeFile = Deno.writeFile;
  Object.defineProperty(Deno, "writeFile", {
    value: (...args: Parameters<typeof writeFile>) => {
      const t0 = now();
      return timed(writeFile(...args), () => "writeFile (doorbell)", t0);
    },
    configurable: true,
    writable: true,
  });

  const dump = () => {
    let cpu: number[] = [];
    try {
      const stat = Deno.readTextFileSync("/proc/self/stat");
      cpu = stat.slice(stat.lastIndexOf(")") + 2).split(" ").slice(11, 15).map(Number);
    } catch {
      // Not Linux.
    }
    const out = {
      pid: Deno.pid,
      uptimeMs: now(),
      commitBusyMs,
      cpuTicks: { user: cpu[0], sys: cpu[1], childrenUser: cpu[2], childrenSys: cpu[3] },
      memory: Deno.memoryUsage(),
      tallies: Object.fromEntries(tallies),
      trace,
    };
    try {
      Deno.writeTextFileSync(`${dir}/probe-${Deno.pid}.json`, JSON.stringify(out));
    } catch {
      // The folder is gone: the bench has finished with us.
    }
  };
  Deno.unrefTimer(setInterval(dump, 500));
  globalThis.addEventListener("unload", dump);
}
