/**
 * Moving due `scheduled` entries (delayed jobs and backoff retries) to `ready`. Any worker may
 * do it; the atomic check makes each promotion happen once.
 *
 * @module
 */
import type { Job } from "../job.ts";
import { newId } from "../ids.ts";
import { Tx } from "./db.ts";
import { keys } from "./keys.ts";
import { applyTransition } from "./transition.ts";
import type { Store } from "./open.ts";

/**
 * Promotes up to `limit` jobs whose `run_at` is at or before `now`. Returns how many it moved.
 *
 * @example
 * ```ts
 * import type { Store } from "./open.ts";
 * declare const store: Store;
 * await promoteDue(store, { now: Date.now() });
 * ```
 */
export async function promoteDue(
  store: Store,
  options: { now: number; limit?: number },
): Promise<number> {
  const due = await store.db.list<string>(
    { prefix: keys.scheduledAll, end: keys.scheduled(options.now + 1, "") },
    { limit: options.limit ?? 100 },
  );
  if (due.length === 0) return 0;
  const jobs = await store.db.getMany<Job>(due.map((e) => keys.job(e.value)));
  let moved = 0;
  for (const [i, entry] of due.entries()) {
    const current = jobs[i];
    const job = current?.value;
    if (!current || !job || (job.state !== "scheduled" && job.state !== "failed")) continue;
    const after: Job = {
      ...job,
      state: "pending",
      seq: newId(options.now),
      updated_at: options.now,
    };
    const tx = new Tx().check(entry.key, entry.versionstamp).check(
      current.key,
      current.versionstamp,
    );
    applyTransition(tx, job, after);
    if (await store.db.commit(tx) !== null) moved++;
  }
  if (moved > 0) await store.doorbell.ring();
  return moved;
}

/**
 * When the earliest scheduled job is due (ms), or null when none waits.
 *
 * @example
 * ```ts
 * import type { Store } from "./open.ts";
 * declare const store: Store;
 * const due = await nextDueAt(store); // e.g. 1763892000000
 * ```
 */
export async function nextDueAt(store: Store): Promise<number | null> {
  const [first] = await store.db.list<string>({ prefix: keys.scheduledAll }, { limit: 1 });
  return first ? (first.key[1] as number) : null;
}
