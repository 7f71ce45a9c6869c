import { equal } from "node:assert/strict";
import { dropKillTally, killedCount, tallyKills } from "./kill_tally.ts";
import { killRunProcesses, runEnv } from "./orphans.ts";
import { runCommand } from "./run_command.ts";

const markOf = () => ({ worker: `test/host:${Deno.pid}:${crypto.randomUUID()}`, job: "j", run: 1 });

Deno.test("the kill tally counts each pid once across recoverers, per run, and is gone once dropped", () => {
  const mark = markOf();
  equal(killedCount(mark), 0);
  tallyKills(mark, [10, 11]);
  tallyKills(mark, [11, 12]); // A second recoverer killed one the first had already killed.
  equal(killedCount(mark), 3);
  equal(killedCount({ ...mark, run: 2 }), 0);
  dropKillTally(mark);
  equal(killedCount(mark), 0);
  dropKillTally(mark); // A second drop is harmless.
});

Deno.test({
  name:
    "a recoverer that died after killing a run's processes leaves their count for the next one, which finds nothing left",
  sanitizeOps: false,
  sanitizeResources: false,
  fn: async () => {
    const mark = markOf();
    const spawned = Promise.withResolvers<void>();
    const job = runCommand("sleep 30", { env: runEnv(mark), onSpawn: () => spawned.resolve() });
    await spawned.promise;
    try {
      // The first recoverer: it kills, then (as far as the database knows) dies before committing.
      const first = await killRunProcesses(mark, { beforeKill: (p) => tallyKills(mark, p) });
      equal(first >= 1, true); // the shell, and its sleep unless the shell exec'd it
      equal(killedCount(mark), first);
      equal((await job).signal, "SIGKILL");
      const second = await killRunProcesses(mark, { beforeKill: (p) => tallyKills(mark, p) });
      equal([second, killedCount(mark)].join(), `0,${first}`);
    } finally {
      dropKillTally(mark);
    }
  },
});
