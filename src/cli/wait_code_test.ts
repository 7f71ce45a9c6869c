import { equal } from "node:assert/strict";
import { job } from "../../tests/factory.ts";
import { jobExitCode, waitExitCode } from "./wait_code.ts";

Deno.test("one job's code: 0 completed, its exit code dead, 120 dead without one, 121 canceled", () => {
  equal(jobExitCode(job({ state: "completed", exit_code: 0 })), 0);
  equal(jobExitCode(job({ state: "dead", exit_code: 7 })), 7);
  equal(jobExitCode(job({ state: "dead", exit_code: null })), 120);
  equal(jobExitCode(job({ state: "canceled" })), 121);
  equal(jobExitCode(null), 1);
});

Deno.test("a wait's code: 124 unfinished, all-or-nothing for several, the first to end with any", () => {
  const done = job({ state: "completed", exit_code: 0, finished_at: 20 });
  const dead = job({ state: "dead", exit_code: 3, finished_at: 10 });
  const running = job({ state: "processing" });
  equal(waitExitCode([running], {}), 124);
  equal(waitExitCode([done, running], {}), 124);
  equal(waitExitCode([done, done], {}), 0);
  equal(waitExitCode([done, dead], {}), 1);
  equal(waitExitCode([done, dead, running], { any: true }), 3);
  equal(waitExitCode([running, running], { any: true }), 124);
});
