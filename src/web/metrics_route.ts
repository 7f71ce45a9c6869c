/**
 * The `GET /metrics` route: reads the counters, workers, queues and totals and renders them
 * for Prometheus.
 *
 * @module
 */
import { countJobs, listQueues, listWorkers, readTotals } from "../store/mod.ts";
import { queryOf } from "./params.ts";
import { PROMETHEUS_TYPE, renderMetrics } from "./prometheus.ts";
import type { Route, RouteContext } from "./router.ts";

async function metrics(ctx: RouteContext): Promise<Response> {
  queryOf(ctx.url, []);
  const [counts, workers, queues, totals] = await Promise.all([
    countJobs(ctx.store),
    listWorkers(ctx.store),
    listQueues(ctx.store),
    readTotals(ctx.store),
  ]);
  const body = renderMetrics({ counts, workers, queues, totals, now: ctx.now });
  return new Response(body, { headers: { "Content-Type": PROMETHEUS_TYPE } });
}

/** The metrics route. */
export const metricsRoutes: readonly Route[] = [
  { method: "GET", path: "/metrics", handle: metrics },
];
