/**
 * `deno run -A bench/remote.ts`: the same small workloads on a local KV file and on a KV
 * Connect server, for docs/SCALING.md. The server is `tests/support/kv_connect_server.ts` in
 * its own process (no denokv binary can be installed here): a Deno implementation of the
 * protocol over a local SQLite KV, so the figures show the cost of the protocol and Deno's
 * remote client on loopback, not denokv's own speed or a real network's latency.
 *
 * ```sh
 * deno run -A bench/remote.ts [--jobs 600] [--workers 4]
 * ```
 *
 * @module
 */
import { machineInfo } from "./machine_info.ts";

const ROOT = new URL("..", import.meta.url).pathname;
const MAIN = `${ROOT}main.ts`;
const CONFIG = `${ROOT}deno.json`;
const TOKEN = "queuectl-bench-token-0123";

function arg(name: string, fallback: number): number {
  const i = Deno.args.indexOf(`--${name}`);
  return i >= 0 ? Number(Deno.args[i + 1]) : fallback;
}

async function cli(env: Record<string, string>, args: string[], stdin?: string): Promise<string> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--quiet", "--config", CONFIG, MAIN, ...args],
    env,
    stdin: stdin === undefined ? "null" : "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  if (stdin !== undefined) {
    const w = child.stdin.getWriter();
    await w.write(new TextEncoder().encode(stdin));
    await w.close();
  }
  const out = await child.output();
  const dec = new TextDecoder();
  if (out.code !== 0) throw new Error(`queuectl ${args.join(" ")}: ${dec.decode(out.stderr)}`);
  return dec.decode(out.stdout);
}

async function counts(env: Record<string, string>): Promise<Record<string, number>> {
  return JSON.parse(await cli(env, ["status", "--json"])).counts;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

/** One backend's figures. */
interface Figures {
  backend: string;
  enqueue_one_ms: number;
  enqueue_bulk_jobs_per_s: number;
  drain_jobs_per_s: number;
  wake_p50_ms: number;
}

async function measure(backend: string, env: Record<string, string>): Promise<Figures> {
  const jobs = arg("jobs", 600);
  const workers = arg("workers", 4);
  const one: number[] = [];
  for (let i = 0; i < 5; i++) {
    const t0 = performance.now();
    await cli(env, ["enqueue", "--command", "true"]);
    one.push(performance.now() - t0);
  }
  const lines = Array.from({ length: jobs }, () => JSON.stringify({ command: "true" })).join("\n");
  const tb = performance.now();
  await cli(env, ["enqueue", "--file", "-"], lines);
  const bulkS = (performance.now() - tb) / 1000;
  const sup = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      "--quiet",
      "--config",
      CONFIG,
      MAIN,
      "worker",
      "start",
      "--count",
      String(workers),
    ],
    env,
    stdin: "null",
    stdout: "null",
    stderr: "null",
  }).spawn();
  try {
    const total = jobs + 5;
    // The drain is timed from the first completion, so start-up is not counted.
    let first = 0;
    let c = await counts(env);
    while (c.completed! < total) {
      if (!first && c.completed! > 0) first = performance.now();
      // Each look is a whole CLI process: looking often would take CPU from the workers.
      await new Promise((r) => setTimeout(r, 250));
      c = await counts(env);
    }
    const drained = c.completed!;
    const drainS = (performance.now() - first) / 1000;
    // Wake-up: idle workers, then one job at a time: enqueue's commit to the job's start.
    await new Promise((r) => setTimeout(r, 500));
    const wake: number[] = [];
    for (let i = 0; i < 10; i++) {
      const id = (await cli(env, ["enqueue", "--command", "true"])).trim();
      for (;;) {
        const j = JSON.parse(await cli(env, ["show", id, "--json"]));
        if (j.state === "completed") {
          wake.push(Date.parse(j.started_at) - Date.parse(j.created_at));
          break;
        }
        await new Promise((r) => setTimeout(r, 20));
      }
    }
    return {
      backend,
      enqueue_one_ms: Math.round(median(one)),
      enqueue_bulk_jobs_per_s: Math.round(jobs / bulkS),
      drain_jobs_per_s: Math.round((drained - 1) / drainS),
      wake_p50_ms: median(wake),
    };
  } finally {
    sup.kill("SIGTERM");
    await sup.status;
  }
}

if (import.meta.main) {
  const dir = await Deno.makeTempDir({ prefix: "queuectl-bench-remote-" });
  const port = 4700 + Math.floor(Math.random() * 200);
  const server = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      "--unstable-kv",
      `${ROOT}tests/support/kv_connect_server.ts`,
      "--port",
      String(port),
      "--token",
      TOKEN,
      "--path",
      `${dir}/server.sqlite`,
    ],
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }).spawn();
  try {
    // Ready once it has said so on stderr.
    const reader = server.stderr.getReader();
    await reader.read();
    reader.releaseLock();
    const base = { NO_COLOR: "1" };
    const rows = [
      await measure("local file", { ...base, QUEUECTL_DB: `${dir}/queue.kv` }),
      await measure("KV Connect (loopback)", {
        ...base,
        QUEUECTL_DB: `http://127.0.0.1:${port}`,
        DENO_KV_ACCESS_TOKEN: TOKEN,
      }),
    ];
    console.log(
      JSON.stringify(
        { machine: await machineInfo(), jobs: arg("jobs", 600), workers: arg("workers", 4), rows },
        null,
        2,
      ),
    );
  } finally {
    server.kill("SIGTERM");
    await server.status;
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
}
