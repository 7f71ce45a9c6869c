/**
 * `queuectl logs ID`: the captured output of an attempt, raw bytes, optionally followed live.
 *
 * @module
 */
import { Command } from "commander";
import { OperationError, UsageError } from "../errors.ts";
import { getJob, listAttempts, readOutput } from "../store/mod.ts";
import type { Context } from "./context.ts";

interface LogsFlags {
  stderr?: boolean;
  attempt?: string;
  follow?: boolean;
}

/** Builds the `logs` command. */
export function logsCommand(ctx: Context): Command {
  return new Command("logs")
    .description("print the output of a job's latest (or given) attempt")
    .argument("<id>", "job id")
    .option("--stderr", "print stderr instead of stdout")
    .option("-a, --attempt <n>", "which attempt (default: the latest)")
    .option("-f, --follow", "keep printing while the attempt runs")
    .action(async (id: string, flags: LogsFlags) => {
      const store = await ctx.store();
      const job = await getJob(store, id);
      if (!job) throw new OperationError(`job "${id}" not found`);
      let n = job.runs;
      if (flags.attempt !== undefined) {
        n = Number(flags.attempt);
        if (!Number.isInteger(n) || n < 1) {
          throw new UsageError(`--attempt must be a positive integer, got "${flags.attempt}"`);
        }
        if (n > job.runs) {
          throw new OperationError(`job "${id}" has ${job.runs} attempt(s), not ${n}`);
        }
      }
      if (n === 0) {
        if (!flags.follow) return ctx.err(`job "${id}" has not run yet`);
        n = 1;
      }
      const stream = flags.stderr ? "stderr" : "stdout";
      let chunk = 0;
      let offset = 0;
      for (;;) {
        const chunks = await readOutput(store, id, n, { stream, fromChunk: chunk });
        for (const c of chunks) {
          // The last chunk grows in place; print only what is new since the last look.
          const fresh = c.index === chunk ? c.data.subarray(offset) : c.data;
          if (fresh.byteLength > 0) ctx.out(fresh);
          chunk = c.index;
          offset = c.data.byteLength;
        }
        if (!flags.follow) return;
        const attempt = (await listAttempts(store, id)).find((a) => a.n === n);
        if (attempt?.finished_at != null) {
          const last = await readOutput(store, id, n, { stream, fromChunk: chunk });
          for (const c of last) {
            const fresh = c.index === chunk ? c.data.subarray(offset) : c.data;
            if (fresh.byteLength > 0) ctx.out(fresh);
            chunk = c.index;
            offset = c.data.byteLength;
          }
          return;
        }
        await new Promise((r) => setTimeout(r, 200));
      }
    });
}
