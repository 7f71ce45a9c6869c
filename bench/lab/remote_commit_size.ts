/**
 * The time of one KV Connect commit by the size of its body, and of a read, for issue #17: each
 * commit whose body passed about 1 KB took about 45 ms on loopback. Starts the test server
 * (`tests/support/kv_connect_server.ts`) in its own process, unless `--url` names a running one,
 * then times `--reps` commits of one `set` per value size, and `get`s of the same keys.
 *
 * ```sh
 * deno run -A bench/lab/remote_commit_size.ts [--reps 20] [--sizes 200,800,1200,4096,16384] \
 *   [--concurrent 1] [--url http://127.0.0.1:4512 --token T] [--early-headers 0|1]
 * ```
 *
 * `--early-headers 0` starts the server as before the #17 fix (`QUEUECTL_KV_SERVER_EARLY_HEADERS`:
 * headers only once the body is read, as denokv does). `--concurrent K` times K commits sent
 * together. Run it under
 * `strace -f -tt -e trace=network,write,writev,sendto,setsockopt` to see the segments.
 *
 * @module
 */
import { summary } from "../stats.ts";
import { listening, startKvServer } from "../kv_server.ts";

const argv = [...Deno.args];
const flag = (name: string, def: string) => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1]! : def;
};
const reps = Number(flag("--reps", "20"));
const concurrent = Number(flag("--concurrent", "1"));
const sizes = flag("--sizes", "200,800,1200,4096,16384").split(",").map(Number);
const token = flag("--token", "queuectl-lab-token-0123");
let url = flag("--url", "");
let server: Deno.ChildProcess | null = null;
if (!url) {
  const early = flag("--early-headers", "");
  server = startKvServer({ token, early });
  url = await listening(server);
}
Deno.env.set("DENO_KV_ACCESS_TOKEN", token);
const kv = await Deno.openKv(url);
try {
  await kv.set(["warm"], 0); // the metadata exchange and the first connection
  console.log(`server ${url}, ${reps} reps of ${concurrent} commit(s) each, ms`);
  console.log("op      value_bytes    p50    p95    max");
  for (const size of sizes) {
    const value = "x".repeat(size);
    const commit: number[] = [];
    const read: number[] = [];
    for (let i = 0; i < reps; i++) {
      let t0 = performance.now();
      // With --concurrent K, K commits are in flight at once on the one connection; the time
      // is that of all K.
      const all = await Promise.all(
        Array.from(
          { length: concurrent },
          (_, k) => kv.atomic().set(["lab", size, i, k], value).commit(),
        ),
      );
      commit.push(performance.now() - t0);
      if (all.some((r) => !r.ok)) throw new Error(`commit of ${size} bytes failed`);
      t0 = performance.now();
      await kv.get(["lab", size, i, 0]);
      read.push(performance.now() - t0);
    }
    for (const [op, ms] of [["commit", commit], ["get", read]] as const) {
      const s = summary(ms);
      console.log(
        `${op.padEnd(7)} ${String(size).padStart(11)} ${fmt(s.p50)} ${fmt(s.p95)} ${fmt(s.max)}`,
      );
    }
  }
} finally {
  kv.close();
  if (server) {
    server.kill("SIGTERM");
    await server.status;
  }
}

function fmt(ms: number): string {
  return ms.toFixed(1).padStart(6);
}
