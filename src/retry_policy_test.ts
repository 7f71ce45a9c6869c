import { deepStrictEqual as assertEquals, strictEqual } from "node:assert/strict";
import { job, SETTINGS, T0 } from "../tests/factory.ts";
import { afterAttempt, type AttemptEnd } from "./retry_policy.ts";

const NOW = T0 + 60_000;
const ok: AttemptEnd = { outcome: "succeeded", exit_code: 0, error: null };
const fail: AttemptEnd = { outcome: "failed", exit_code: 1, error: "exit code 1" };
const opts = { settings: SETTINGS, now: NOW };
const running = (overrides = {}) =>
  job({ state: "processing", attempts: 1, runs: 1, worker: "w1", started_at: T0, ...overrides });

Deno.test("afterAttempt: success completes the job and clears last_error", () => {
  const after = afterAttempt(running({ last_error: "earlier failure" }), ok, opts);
  assertEquals(
    [after.state, after.exit_code, after.last_error, after.finished_at, after.updated_at],
    ["completed", 0, null, NOW, NOW],
  );
});

Deno.test("afterAttempt: the k-th failure waits backoff_base^k seconds", () => {
  for (const k of [1, 2, 3, 4]) {
    const after = afterAttempt(running({ attempts: k, max_retries: 10 }), fail, opts);
    assertEquals([after.state, after.run_at, after.last_error], [
      "failed",
      NOW + 2 ** k * 1000,
      "exit code 1",
    ]);
  }
  const base3 = afterAttempt(running({ attempts: 2 }), fail, {
    ...opts,
    settings: { ...SETTINGS, backoff_base: 3 },
  });
  strictEqual(base3.run_at, NOW + 9_000);
});

Deno.test("afterAttempt: the wait is capped by backoff_max", () => {
  const after = afterAttempt(running({ attempts: 30, max_retries: 100 }), fail, opts);
  strictEqual(after.run_at, NOW + SETTINGS.backoff_max);
});

Deno.test("afterAttempt: a failure of attempt 1 + max_retries is dead; earlier ones retry", () => {
  strictEqual(afterAttempt(running({ attempts: 3, max_retries: 3 }), fail, opts).state, "failed");
  strictEqual(afterAttempt(running({ attempts: 4, max_retries: 3 }), fail, opts).state, "dead");
  strictEqual(afterAttempt(running({ attempts: 1, max_retries: 0 }), fail, opts).state, "dead");
});

Deno.test("afterAttempt: a final failure (folder missing on the host) is dead at once, retries unspent", () => {
  const end = { ...fail, exit_code: null, error: "cwd /x does not exist on host h", final: true };
  const after = afterAttempt(running({ max_retries: 3 }), end, opts);
  assertEquals([after.state, after.attempts, after.last_error], ["dead", 1, end.error]);
  strictEqual(afterAttempt(running({ cancel_requested: true }), end, opts).state, "canceled");
});

Deno.test("afterAttempt: timed_out and worker_lost are failures like any other", () => {
  for (const outcome of ["timed_out", "worker_lost"] as const) {
    const after = afterAttempt(running(), { outcome, exit_code: null, error: outcome }, opts);
    assertEquals([after.state, after.run_at, after.last_error], ["failed", NOW + 2000, outcome]);
  }
});

Deno.test("afterAttempt: an interrupted attempt goes back to pending now without being charged", () => {
  const after = afterAttempt(
    running({ attempts: 2, max_retries: 1 }),
    { outcome: "interrupted", exit_code: null, error: "worker stopped" },
    opts,
  );
  assertEquals([after.state, after.attempts, after.runs, after.run_at], ["pending", 1, 1, NOW]);
});

Deno.test("afterAttempt: a requested cancel wins over a failure, even the last one", () => {
  for (const attempts of [1, 4]) {
    const after = afterAttempt(running({ attempts, cancel_requested: true }), fail, opts);
    strictEqual(after.state, "canceled");
  }
  const interrupted = afterAttempt(
    running({ cancel_requested: true }),
    { outcome: "interrupted", exit_code: null, error: null },
    opts,
  );
  strictEqual(interrupted.state, "canceled");
});

Deno.test("afterAttempt: a success that beat the cancel request still completes", () => {
  strictEqual(afterAttempt(running({ cancel_requested: true }), ok, opts).state, "completed");
});

Deno.test("afterAttempt: a canceled outcome cancels", () => {
  const after = afterAttempt(
    running(),
    { outcome: "canceled", exit_code: null, error: "canceled" },
    opts,
  );
  assertEquals([after.state, after.last_error], ["canceled", "canceled"]);
});

Deno.test("afterAttempt leaves seq, runs and worker to the caller and does not mutate its input", () => {
  const before = running();
  const copy = structuredClone(before);
  const after = afterAttempt(before, fail, opts);
  assertEquals(before, copy);
  assertEquals([after.seq, after.runs, after.worker], [before.seq, before.runs, before.worker]);
});
