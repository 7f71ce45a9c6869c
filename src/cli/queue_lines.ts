/**
 * The per-queue lines `status` and `status --watch` show once more than a plain `default`
 * queue exists.
 *
 * @module
 */
import { formatRate } from "../queue.ts";
import type { QueueStatus } from "../store/queue_read.ts";

/**
 * Whether the queues are worth a section: a named queue exists, or `default` has settings
 * (most users never make either, and keep the short screen).
 *
 * @example
 * ```ts
 * import type { QueueStatus } from "../store/queue_read.ts";
 * declare const queues: QueueStatus[];
 * if (showQueues(queues)) console.log(queueLines(queues).join("\n"));
 * ```
 */
export function showQueues(queues: readonly QueueStatus[]): boolean {
  return queues.length > 1 ||
    queues.some((q) =>
      q.settings.paused || q.settings.concurrency !== null || q.settings.rate !== null
    );
}

/**
 * One line a queue: `build  active  pending 4  running 2/2  rate 10/1m`, columns aligned.
 *
 * @example
 * ```ts
 * import type { QueueStatus } from "../store/queue_read.ts";
 * declare const queues: QueueStatus[];
 * queueLines(queues); // ["default  active  pending 0  running 0", …]
 * ```
 */
export function queueLines(queues: readonly QueueStatus[]): string[] {
  if (queues.length === 0) return [];
  const rows = queues.map(({ settings: s, counts: c }) => [
    s.name,
    s.paused ? "paused" : "active",
    `pending ${c.pending}`,
    `running ${c.processing}${s.concurrency === null ? "" : `/${s.concurrency}`}`,
    s.rate === null ? "" : `rate ${formatRate(s.rate)}`,
  ]);
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) => r.map((cell, i) => cell.padEnd(widths[i]!)).join("  ").trimEnd());
}
