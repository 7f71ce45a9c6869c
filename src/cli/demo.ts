/**
 * `queuectl demo`: a small mixed workload run by real workers until the queue settles.
 *
 * @module
 */
import { buildCommand, type Command, type CommandContext } from "@stricli/core";
import { FINAL_STATES, type Job } from "../job.ts";
import { Logger } from "../log.ts";
import { parseInteger } from "../number_text.ts";
import { parseJobSpec } from "../spec.ts";
import { enqueueJobs } from "../store/enqueue.ts";
import { getJob } from "../store/query.ts";
import { readConfig } from "../store/config_store.ts";
import { runSupervisor } from "../worker/supervisor.ts";
import type { Context } from "./context.ts";
import { printJobs } from "./list.ts";
import { withDefault } from "./params.ts";

/** The demo's jobs: what each shows. */
const DEMO_JOBS = [
  { tag: "hello", command: "echo hello from queuectl", note: "succeeds" },
  { tag: "sleepy", command: "sleep 1; echo done sleeping", note: "succeeds after 1s" },
  { tag: "urgent", command: "echo urgent first", priority: 10, note: "priority 10: runs first" },
  { tag: "later", command: "date", delay: "2s", note: "delayed 2s" },
  {
    tag: "flaky",
    command: "exit 3",
    max_retries: 2,
    note: "fails: retried after 2s, 4s, then dead",
  },
  { tag: "typo", command: "no_such_command_xyz", max_retries: 0, note: "command not found: dead" },
];

/** Builds the `demo` command. */
export function demoCommand(ctx: Context): Command<CommandContext> {
  return buildCommand({
    docs: {
      brief: "enqueue a small mixed workload, run 2 workers until it settles, show the outcome",
    },
    parameters: {
      flags: { count: withDefault("workers, 1-8", "n", "2") },
      aliases: { n: "count" },
    },
    func: async (flags: { count: string }) => {
      // Checked before anything is written: a bad count must not leave demo jobs behind.
      const count = parseInteger(flags.count, { name: "--count", min: 1, max: 8 });
      const store = await ctx.store();
      const now = Date.now();
      const run = new Date(now).toISOString().replace(/[-:]/g, "").slice(0, 15);
      const specs = DEMO_JOBS.map(({ tag, note: _note, ...spec }) =>
        parseJobSpec({ id: `demo-${run}-${tag}`, ...spec }, { now })
      );
      const config = await readConfig(store);
      const jobs = await enqueueJobs(store, specs, { now, maxRetries: config.max_retries });
      ctx.out(`database: ${store.location}`);
      ctx.out(`enqueued ${jobs.length} demo jobs:`);
      for (const [i, j] of jobs.entries()) ctx.out(`  ${j.id.padEnd(30)} ${DEMO_JOBS[i]!.note}`);
      ctx.out(`\nstarting ${flags.count} workers (their log follows on stderr)…\n`);
      const stop = new AbortController();
      const supervisor = runSupervisor({
        count,
        location: store.location,
        log: new Logger({ fields: { supervisor: Deno.pid } }),
        signal: stop.signal,
        force: new AbortController().signal,
      });
      const final = await waitFinal(store, jobs.map((j) => j.id), 60_000);
      stop.abort();
      await supervisor;
      ctx.out("\noutcome:");
      printJobs(ctx, final);
      ctx.out(
        `\nnext: queuectl show ${jobs[4]!.id}   (attempt history)\n` +
          `      queuectl logs ${jobs[0]!.id}   (captured output)\n` +
          `      queuectl dlq list  ·  queuectl dlq retry ${jobs[5]!.id}\n` +
          `      queuectl metrics  ·  queuectl status --watch  ·  queuectl web`,
      );
    },
  });
}

async function waitFinal(
  store: Awaited<ReturnType<Context["store"]>>,
  ids: string[],
  timeoutMs: number,
): Promise<Job[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const jobs = (await Promise.all(ids.map((id) => getJob(store, id)))).filter((j) => j !== null);
    const settled = jobs.every((j) => FINAL_STATES.includes(j.state));
    if (settled || Date.now() > deadline) return jobs;
    await new Promise((r) => setTimeout(r, 100));
  }
}
