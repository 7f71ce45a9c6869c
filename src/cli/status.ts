/**
 * `queuectl status`: job counts per state (O(1), from counters) and the workers.
 *
 * @module
 */
import { Command } from "commander";
import { JOB_STATES } from "../job.ts";
import { countJobs, listWorkers } from "../store/mod.ts";
import type { Context } from "./context.ts";
import { ago, table, workerJson } from "./format.ts";

/** Builds the `status` command. */
export function statusCommand(ctx: Context): Command {
  return new Command("status")
    .description("job counts per state and the workers")
    .option("--json", 'print {"counts": {...}, "workers": [...]}')
    .action(async (flags: { json?: boolean }) => {
      const store = await ctx.store();
      const [counts, workers] = await Promise.all([countJobs(store), listWorkers(store)]);
      if (flags.json) {
        ctx.out(JSON.stringify({ counts, workers: workers.map(workerJson) }));
        return;
      }
      const now = Date.now();
      ctx.out(table(["STATE", "JOBS"], JOB_STATES.map((s) => [s, String(counts[s])])));
      ctx.out("");
      const busy = workers.filter((w) => w.state === "busy").length;
      ctx.out(`workers: ${workers.length} (${busy} busy)`);
      for (const w of workers) {
        ctx.out(
          `  ${w.id}  host ${w.host}  ${w.state}${w.job ? ` ${w.job}` : ""}  beat ${
            ago(w.heartbeat_at, now)
          }`,
        );
      }
    });
}
