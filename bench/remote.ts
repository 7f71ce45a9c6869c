/**
 * R (`deno task bench --remote`): the same small workloads on a local KV file and on a KV Connect
 * server, for docs/SCALING.md. The server is `tests/support/kv_connect_server.ts` in its own
 * process (no denokv binary can be installed here): a Deno implementation of the protocol over a
 * local SQLite KV, so the figures show the cost of the protocol and Deno's remote client on
 * loopback, not denokv's own speed or a real network's latency. The server answers a commit's
 * headers before reading its body. A second server that answers only after, as denokv does,
 * drains the jobs again: every commit past 1 KB then waits about 40 ms for a delayed ACK
 * (docs/SCALING.md, issue #17).
 *
 * Both backends are driven alike, through whole CLI processes only (the bench process opens
 * neither), so each remote figure is read against the local one of the same run.
 *
 * @module
 */
import type { Job } from "../src/job.ts";
import {
  CONFIG,
  DENO,
  MAIN,
  ROOT,
  run,
  type RunOutcome,
  sleep,
  waitUntil,
  writeNdjson,
} from "./lib.ts";
import { type Summary, summary } from "./stats.ts";
import { type Env, TRUE_SPEC } from "./workload_env.ts";
import { listening, startKvServer } from "./kv_server.ts";

/** The server's access token (denokv wants at least 12 characters). */
const TOKEN = "queuectl-bench-token-0123";

/** One backend's figures. */
export interface BackendFigures {
  /** `enqueue --command true` as a whole CLI process, wall ms. */
  enqueue_one: Summary;
  /** `enqueue --file` of the run's jobs: jobs per second over the whole CLI process. */
  bulk_jobs_per_s: number;
  /** Jobs per second from the first completion to the last, read from the job records. */
  drain_jobs_per_s: number;
  /** Idle workers, one job at a time: `started_at - created_at`, ms. */
  wake: Summary;
}

/** R: the same workloads on a local file and over KV Connect on loopback. */
export interface Remote {
  /** Jobs of the bulk enqueue and the drain. */
  jobs: number;
  /** Workers of the drain and the wake-up. */
  workers: number;
  /** A KV file in the temp folder. */
  local: BackendFigures;
  /** The KV Connect test server, in its own process. */
  remote: BackendFigures;
  /**
   * The drain again, on a second server that answers a commit only once its body is read, as
   * denokv does: every commit of 1,024 bytes or more then waits for the server host's delayed
   * ACK (docs/SCALING.md). Jobs per second.
   */
  remote_late_drain_jobs_per_s: number;
}

/** Runs R: starts the server, then measures the local file and the server in turn. */
export async function remote(env: Env): Promise<Remote> {
  const dir = await Deno.makeTempDir({ dir: env.tmp, prefix: "remote-" });
  const base = { NO_COLOR: "1" };
  const servers: Deno.ChildProcess[] = [];
  // An interrupted bench stops what it registered; the servers go with the same SIGTERM.
  const stoppable: Promise<{ supervisorPid: number; startCliMs: number }>[] = [];
  const start = (path: string, early: boolean) => {
    const server = startKvServer({ token: TOKEN, early: early ? "1" : "0", path });
    servers.push(server);
    const entry = Promise.resolve({ supervisorPid: server.pid, startCliMs: 0 });
    stoppable.push(entry);
    env.running.add(entry);
    return server;
  };
  try {
    const url = await listening(start(`${dir}/server.sqlite`, true));
    env.log(`  local file`);
    const local = await measure(env, `${dir}/local`, { ...base, QUEUECTL_DB: `${dir}/queue.kv` });
    env.log(`  KV Connect at ${url}`);
    const remote = await measure(env, `${dir}/remote`, {
      ...base,
      QUEUECTL_DB: url,
      DENO_KV_ACCESS_TOKEN: TOKEN,
    });
    const lateUrl = await listening(start(`${dir}/late.sqlite`, false));
    env.log(`  KV Connect at ${lateUrl}, answering after the body (as denokv)`);
    const late = await measure(env, `${dir}/late`, {
      ...base,
      QUEUECTL_DB: lateUrl,
      DENO_KV_ACCESS_TOKEN: TOKEN,
    }, { drainOnly: true });
    return {
      jobs: env.sizes.remoteJobs,
      workers: env.sizes.remoteWorkers,
      local,
      remote,
      remote_late_drain_jobs_per_s: late.drain_jobs_per_s,
    };
  } finally {
    for (const server of servers) {
      server.kill("SIGTERM");
      await server.status;
    }
    for (const entry of stoppable) env.running.delete(entry);
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
}

/**
 * One backend: single enqueues, a bulk enqueue, its drain, then wake-ups one job at a time;
 * with `drainOnly`, the bulk enqueue and the drain alone (the other figures are then empty).
 */
async function measure(
  env: Env,
  dir: string,
  cliEnv: Record<string, string>,
  options: { drainOnly?: boolean } = {},
): Promise<BackendFigures> {
  const s = options.drainOnly
    ? { ...env.sizes, remoteEnqueueRuns: 0, remoteWakeJobs: 0 }
    : env.sizes;
  await Deno.mkdir(dir);
  const cli = async (args: string[]): Promise<RunOutcome> => {
    const out = await run(DENO, ["run", "-A", "--config", CONFIG, MAIN, ...args], { env: cliEnv });
    if (out.code !== 0) {
      throw new Error(`R: queuectl ${args.join(" ")} exited ${out.code}: ${out.stderr.trim()}`);
    }
    return out;
  };
  const one: number[] = [];
  for (let i = 0; i < s.remoteEnqueueRuns; i++) {
    one.push((await cli(["enqueue", "--command", "true"])).ms);
  }
  const file = `${dir}/jobs.ndjson`;
  await writeNdjson(file, TRUE_SPEC, s.remoteJobs);
  const bulk = await cli(["enqueue", "--file", file]);
  const total = s.remoteEnqueueRuns + s.remoteJobs;
  // `list` returns at most 1000 jobs, and the drain's rate is read from one page of them.
  if (total > 1000) throw new RangeError(`R: ${total} jobs is more than one list page (1000)`);

  const supervisor = new Deno.Command(DENO, {
    args: [
      "run",
      "-A",
      "--config",
      CONFIG,
      MAIN,
      "worker",
      "start",
      "--count",
      `${s.remoteWorkers}`,
    ],
    env: cliEnv,
    cwd: ROOT,
    stdin: "null",
    stdout: "null",
    stderr: "null",
  }).spawn();
  const group = Promise.resolve({ supervisorPid: supervisor.pid, startCliMs: 0 });
  env.running.add(group);
  try {
    // Each look is a whole CLI process: looking often would take CPU from the workers.
    await waitUntil(
      "R: the drain",
      async () => {
        const status = JSON.parse((await cli(["status", "--json"])).stdout);
        return status.counts.completed >= total;
      },
      60_000 + total * 500,
      250,
    );
    const done: Job[] = JSON.parse(
      (await cli(["list", "--state", "completed", "--limit", "1000", "--json"])).stdout,
    );
    const finished = done.map((j) => Date.parse(String(j.finished_at))).sort((a, b) => a - b);
    const spanS = (finished[finished.length - 1]! - finished[0]!) / 1000;

    await sleep(500);
    const wake: number[] = [];
    for (let i = 0; i < s.remoteWakeJobs; i++) {
      const id = (await cli(["enqueue", "--command", "true"])).stdout.trim();
      let job: Record<string, string> = {};
      await waitUntil(
        `R: job ${id} to complete`,
        async () => {
          job = JSON.parse((await cli(["show", id, "--json"])).stdout);
          return job.state === "completed";
        },
        30_000,
        20,
      );
      wake.push(Date.parse(job.started_at!) - Date.parse(job.created_at!));
    }
    return {
      enqueue_one: summary(one),
      bulk_jobs_per_s: Math.round(s.remoteJobs / (bulk.ms / 1000)),
      drain_jobs_per_s: Math.round((finished.length - 1) / spanS),
      wake: summary(wake),
    };
  } finally {
    supervisor.kill("SIGTERM");
    await supervisor.status;
    env.running.delete(group);
  }
}
