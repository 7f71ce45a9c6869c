import { match, ok, strictEqual } from "node:assert/strict";
import { countsOf, enqueue, registerWorker, spec } from "../../tests/factory.ts";
import { get, webFixture } from "../../tests/web_fixture.ts";
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
      match(line, /^# (HELP queuectl_[a-z_]+ .+|TYPE queuectl_[a-z_]+ (gauge|counter|histogram))$/);
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
});

Deno.test("renderMetrics writes totals as counters and histograms as cumulative buckets", () => {
  const hist = { bounds_ms: [10, 100, 1000], counts: [1, 2, 3, 4], sum_ms: 5500 };
  const text = renderMetrics({
    counts: countsOf({ dead: 2 }),
    workers: [],
    now: 0,
    totals: { enqueued: 10, completed: 6, failed: 3, dead: 2, canceled: 1, run: hist, wait: hist },
  });
  const samples = assertExposition(text);
  strictEqual(samples.get("queuectl_jobs_enqueued_total"), 10);
  strictEqual(samples.get("queuectl_jobs_completed_total"), 6);
  strictEqual(samples.get("queuectl_jobs_failed_total"), 3);
  strictEqual(samples.get("queuectl_dlq_size"), 2);
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
