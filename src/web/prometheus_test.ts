import { match, ok, strictEqual } from "node:assert/strict";
import {
  countsOf,
  enqueue,
  enqueueAndClaim,
  failure,
  registerWorker,
  report,
  SETTINGS,
  spec,
  T0,
} from "../../tests/factory.ts";
import { finishAttempt } from "../store/finish.ts";
import { get, webFixture } from "../../tests/web_fixture.ts";
import { zeroCounters } from "../metrics.ts";
import { renderMetrics } from "./prometheus.ts";

/** Every line is a `# HELP`/`# TYPE` comment or `name{labels} value`, and names are ours. */
function assertExposition(text: string): Map<string, number> {
  const samples = new Map<string, number>();
  ok(text.endsWith("\n"), "ends with a newline");
  const label = String.raw`[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\[\\"n])*"`;
  const sample = new RegExp(
    String.raw`^(queuectl_[a-zA-Z0-9_]*)(\{${label}(?:,${label})*\})? (-?[0-9.e+-]+|NaN|[+-]Inf)$`,
  );
  for (const line of text.slice(0, -1).split("\n")) {
    if (line.startsWith("#")) {
      match(
        line,
        /^# (HELP queuectl_[a-z_]+ .+|TYPE queuectl_[a-z_]+ (gauge|counter|histogram|summary))$/,
      );
      continue;
    }
    const m = sample.exec(line);
    ok(m, `not a sample line: ${JSON.stringify(line)}`);
    samples.set(m[1]! + (m[2] ?? ""), Number(m[3]));
  }
  return samples;
}

Deno.test("GET /metrics is Prometheus text: jobs by state, DLQ size, workers, heartbeat age", async () => {
  await using web = await webFixture();
  await enqueue(web.store, [spec(), spec(), spec({ run_at: Date.now() + 9e6 })]);
  await registerWorker(web.store, { id: 'w"1', host: "h\\x", heartbeat_at: Date.now() - 2000 });
  const res = await web.handle(get("/metrics"));
  strictEqual(res.status, 200);
  match(res.headers.get("content-type")!, /^text\/plain; version=0\.0\.4/);
  const samples = assertExposition(await res.text());
  strictEqual(samples.get('queuectl_jobs{state="pending"}'), 2);
  strictEqual(samples.get('queuectl_jobs{state="scheduled"}'), 1);
  strictEqual(samples.get("queuectl_dlq_size"), 0);
  strictEqual(samples.get("queuectl_workers"), 1);
  const age = samples.get(
    String.raw`queuectl_worker_heartbeat_age_seconds{worker="w\"1",host="h\\x"}`,
  );
  ok(age !== undefined && age >= 2 && age < 60, `heartbeat age ${age}`);
  strictEqual(samples.get("queuectl_jobs_enqueued_total"), 3);
  strictEqual(samples.get("queuectl_jobs_completed_total"), 0);
});

Deno.test("GET /metrics counts finished attempts in the totals and both histograms", async () => {
  await using web = await webFixture();
  const ok1 = await enqueueAndClaim(web.store, spec({ id: "a" }), { now: T0 });
  await finishAttempt(web.store, ok1, report(), { now: T0 + 250, settings: SETTINGS });
  const bad = await enqueueAndClaim(web.store, spec({ id: "b", max_retries: 0 }), { now: T0 });
  await finishAttempt(web.store, bad, failure(2), { now: T0 + 40, settings: SETTINGS });
  const samples = assertExposition(await (await web.handle(get("/metrics"))).text());
  strictEqual(samples.get("queuectl_jobs_completed_total"), 1);
  strictEqual(samples.get("queuectl_jobs_dead_total"), 1);
  strictEqual(samples.get("queuectl_jobs_failed_total"), 1);
  strictEqual(samples.get("queuectl_job_run_seconds_count"), 2);
  strictEqual(samples.get("queuectl_job_wait_seconds_count"), 2);
  ok(Math.abs(samples.get("queuectl_job_run_seconds_sum")! - 0.29) < 1e-6);
  strictEqual(samples.get('queuectl_job_run_seconds_bucket{le="+Inf"}'), 2);
  strictEqual(samples.get("queuectl_dlq_size"), 1);
});

Deno.test("renderMetrics writes totals (finish hooks' too) as counters and histograms as cumulative buckets", () => {
  const hist = { bounds_ms: [10, 100, 1000], counts: [1, 2, 3, 4], sum_ms: 5500 };
  const counters = {
    ...zeroCounters(),
    enqueued: 10,
    completed: 6,
    retried: 3,
    dead: 2,
    canceled: 1,
    hook_ok: 7,
    hook_failed: 1,
  };
  const text = renderMetrics({
    counts: countsOf({ dead: 2 }),
    workers: [],
    queues: [],
    now: 0,
    totals: { counters, run: hist, wait: hist, queues: new Map() },
  });
  const samples = assertExposition(text);
  strictEqual(samples.get("queuectl_jobs_enqueued_total"), 10);
  strictEqual(samples.get("queuectl_jobs_completed_total"), 6);
  strictEqual(samples.get("queuectl_jobs_failed_total"), 5, "retried + dead");
  strictEqual(samples.get("queuectl_jobs_retried_total"), 3);
  strictEqual(samples.get("queuectl_dlq_size"), 2);
  strictEqual(samples.get("queuectl_hooks_ok_total"), 7);
  strictEqual(samples.get("queuectl_hooks_failed_total"), 1);
  strictEqual(samples.get('queuectl_job_run_seconds_bucket{le="0.01"}'), 1);
  strictEqual(samples.get('queuectl_job_run_seconds_bucket{le="0.1"}'), 3);
  strictEqual(samples.get('queuectl_job_run_seconds_bucket{le="1"}'), 6);
  strictEqual(samples.get('queuectl_job_run_seconds_bucket{le="+Inf"}'), 10);
  strictEqual(samples.get("queuectl_job_run_seconds_count"), 10);
  strictEqual(samples.get("queuectl_job_run_seconds_sum"), 5.5);
  strictEqual(samples.get('queuectl_job_wait_seconds_bucket{le="+Inf"}'), 10);
  match(text, /# TYPE queuectl_job_wait_seconds histogram/);
  match(text, /# TYPE queuectl_jobs_enqueued_total counter/);
});

Deno.test("renderMetrics writes per-queue gauges and outcome counters, the default queue's derived, label values escaped", () => {
  const hist = { bounds_ms: [10], counts: [4, 0], sum_ms: 100 };
  const counters = { ...zeroCounters(), completed: 3, retried: 1, dead: 1 };
  const settings = (name: string, over: Record<string, unknown> = {}) => ({
    name,
    concurrency: null,
    rate: null,
    paused: false,
    created_at: 0,
    updated_at: 0,
    ...over,
  });
  const odd = 'we"ird\\q\nx';
  const text = renderMetrics({
    counts: countsOf({ completed: 3, dead: 1 }),
    workers: [],
    queues: [
      { settings: settings("default"), counts: countsOf({ completed: 1 }) },
      {
        settings: settings("build", { concurrency: 2, paused: true }),
        counts: countsOf({ completed: 2, dead: 1, processing: 1 }),
      },
      { settings: settings(odd), counts: countsOf({}) },
    ],
    now: 0,
    totals: {
      counters,
      run: hist,
      wait: hist,
      queues: new Map([["build", { completed: 2, retried: 1, dead: 1, runs: 3, run_sum: 60 }]]),
    },
  });
  const samples = assertExposition(text);
  strictEqual(samples.get('queuectl_queue_jobs{queue="build",state="dead"}'), 1);
  strictEqual(samples.get('queuectl_queue_running{queue="build"}'), 1);
  strictEqual(samples.get('queuectl_queue_limit{queue="build"}'), 2);
  strictEqual(samples.get('queuectl_queue_limit{queue="default"}'), undefined, "no limit, no line");
  strictEqual(samples.get('queuectl_queue_paused{queue="build"}'), 1);
  strictEqual(samples.get('queuectl_queue_paused{queue="default"}'), 0);
  strictEqual(samples.get('queuectl_queue_jobs_total{queue="build",outcome="completed"}'), 2);
  strictEqual(samples.get('queuectl_queue_jobs_total{queue="default",outcome="completed"}'), 1);
  strictEqual(samples.get('queuectl_queue_jobs_total{queue="default",outcome="dead"}'), 0);
  strictEqual(samples.get('queuectl_queue_job_run_seconds_sum{queue="build"}'), 0.06);
  strictEqual(samples.get('queuectl_queue_job_run_seconds_count{queue="default"}'), 1);
  strictEqual(samples.get('queuectl_queue_job_run_seconds_sum{queue="default"}'), 0.04);
  strictEqual(samples.get('queuectl_queue_paused{queue="we\\"ird\\\\q\\nx"}'), 0);
  match(text, /# TYPE queuectl_queue_jobs_total counter/);
  match(text, /# TYPE queuectl_queue_job_run_seconds summary/);
  strictEqual(samples.get("queuectl_jobs_completed_total"), 3, "the existing names are kept");
});
