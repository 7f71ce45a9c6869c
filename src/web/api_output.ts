/**
 * `GET /api/jobs/:id/output`: an attempt's stored output as a file to save, the exact bytes the
 * job wrote (colour escapes and `\r` included), where `/logs` serves the page's live view.
 * `stream=merged` is both streams in the order the worker read them (`store/output_runs.ts`).
 *
 * @module
 */
import { NotFoundError } from "../errors.ts";
import { readMergedOutput, readOutput } from "../store/mod.ts";
import type { OutputStream } from "../store/mod.ts";
import { jobOf } from "./api_read.ts";
import { logsBody } from "./logs_body.ts";
import { attemptParam, outputStreamParam, queryOf } from "./params.ts";
import type { Route, RouteContext } from "./router.ts";

/**
 * The file name a download is saved as: the job id kept to safe characters (ids are already, but
 * a header is no place to find out otherwise), the attempt and the stream.
 *
 * @example
 * ```ts
 * outputFileName("a1b2", 2, "stderr"); // "a1b2-2.stderr.log"
 * ```
 */
export function outputFileName(id: string, n: number, stream: OutputStream | "merged"): string {
  return `${id.replace(/[^A-Za-z0-9_.-]/g, "_")}-${n}.${stream}.log`;
}

async function output(ctx: RouteContext): Promise<Response> {
  const q = queryOf(ctx.url, ["stream", "attempt"]);
  const stream = outputStreamParam(q);
  const found = await jobOf(ctx);
  const n = attemptParam(q, found.runs);
  if (n === 0 || n > found.runs) {
    throw new NotFoundError(
      `job ${JSON.stringify(found.id)} has ${found.runs} attempt(s), not ${n}`,
    );
  }
  // A download is what is stored now: of a running attempt, bytes past the known order included.
  const chunks = stream === "merged"
    ? await readMergedOutput(ctx.store, found.id, n)
    : await readOutput(ctx.store, found.id, n, { stream });
  const { body } = logsBody(chunks, 0);
  return new Response(body, {
    headers: {
      "Content-Type": "application/octet-stream",
      "Content-Disposition": `attachment; filename="${outputFileName(found.id, n, stream)}"`,
      "X-Queuectl-Attempt": String(n),
    },
  });
}

/** The output download route. */
export const outputRoutes: readonly Route[] = [
  { method: "GET", path: "/api/jobs/:id/output", handle: output },
];
