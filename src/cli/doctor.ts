/**
 * `queuectl doctor [--repair] [--json]`: checks the database's invariants.
 *
 * @module
 */
import { Command } from "commander";
import { OperationError } from "../errors.ts";
import { readConfig } from "../store/mod.ts";
import { checkStore, repairStore } from "../store/doctor.ts";
import type { Context } from "./context.ts";

/** Builds the `doctor` command. */
export function doctorCommand(ctx: Context): Command {
  return new Command("doctor")
    .description("check indexes, counters, attempt counts and leases; --repair fixes indexes")
    .option("--repair", "rebuild indexes and counters from the job records (stop workers first)")
    .option("--json", 'print {"jobs": n, "violations": [...], "repaired": n, "unverified": [...]}')
    .action(async (flags: { repair?: boolean; json?: boolean }) => {
      const store = await ctx.store();
      const config = await readConfig(store);
      const repaired = flags.repair ? await repairStore(store) : 0;
      const { violations, jobs, unverified } = await checkStore(store, {
        now: Date.now(),
        leaseMs: config.lease_ms,
      });
      if (flags.json) {
        ctx.out(
          JSON.stringify({
            backend: store.remote ? "remote" : "local",
            jobs,
            violations,
            repaired,
            unverified,
          }),
        );
      } else {
        ctx.out(`database: ${store.location} (${store.remote ? "remote" : "local"})`);
        if (flags.repair) ctx.out(`repaired: ${repaired} key(s) rewritten`);
        ctx.out(`checked ${jobs} job(s): ${violations.length} violation(s)`);
        for (const v of violations) ctx.out(`  ${v.kind}: ${v.detail}`);
        if (unverified.length > 0) {
          ctx.out(
            `not verified: counter(s) ${
              unverified.join(", ")
            } changed during every read (the queue is busy); run doctor again when it is quieter`,
          );
        }
      }
      if (violations.length > 0) {
        throw new OperationError(`doctor found ${violations.length} violation(s)`);
      }
    });
}
