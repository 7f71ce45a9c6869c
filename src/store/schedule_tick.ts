/**
 * Firing the due ticks of recurring schedules. Any worker may do it, on any host: each fire is
 * one atomic operation that checks the schedule's record and its due entry, creates the tick's
 * job (checked absent), and moves the due entry to the next tick, so a tick is enqueued exactly
 * once however many workers look at once.
 *
 * @module
 */
import type { Job } from "../job.ts";
import type { JobSpec } from "../spec.ts";
import { loadCron, needsCron, planTicks, type Schedule, tickId } from "../schedule.ts";
import { Tx } from "./db.ts";
import { keys } from "./keys.ts";
import { DEFAULT_QUEUE } from "../queue.ts";
import { newJob } from "./new_job.ts";
import { applyTransition } from "./transition.ts";
import type { Store } from "./open.ts";

/** Due entries one look lists: the idle path is this one short list. */
const LOOK_LIMIT = 8;
/** Commits one schedule's fire retries after losing races before it leaves it to the next look. */
const FIRE_TRIES = 5;

/** Options of {@linkcode fireDueSchedules}. */
export interface FireOptions {
  /** The clock reading: ticks at or before it are due. */
  now: number;
  /** `max_retries` for schedules that name none (the configured default). */
  maxRetries: number;
}

/** What {@linkcode fireDueSchedules} did. */
export interface FireResult {
  /** The jobs it enqueued, oldest tick first per schedule. */
  jobs: Job[];
  /**
   * When the next look is due (ms): the earliest `next_at` it saw after firing, `now` when more
   * may be due already, or null when no schedule waits.
   */
  nextAt: number | null;
}

/**
 * Fires every due tick of the first schedules by `next_at`, and says when to look again. Rings
 * the doorbell when it enqueued a job.
 *
 * @example
 * ```ts
 * import type { Store } from "./open.ts";
 * declare const store: Store;
 * const { jobs, nextAt } = await fireDueSchedules(store, { now: Date.now(), maxRetries: 3 });
 * ```
 */
export async function fireDueSchedules(store: Store, options: FireOptions): Promise<FireResult> {
  const { now } = options;
  const listed = await store.db.list<string>({ prefix: keys.scheduleDueAll }, {
    limit: LOOK_LIMIT,
  });
  const jobs: Job[] = [];
  let nextAt: number | null = null;
  const seen = (t: number | null) => {
    if (t !== null && (nextAt === null || t < nextAt)) nextAt = t;
  };
  for (const entry of listed) {
    const dueAt = entry.key[1] as number;
    if (dueAt > now) {
      seen(dueAt);
      break;
    }
    const fired = await fireSchedule(store, entry.value, { ...options, dueAt });
    jobs.push(...fired.jobs);
    seen(fired.nextAt);
  }
  // A full list of due entries may hide more behind it: look again at once.
  if (listed.length === LOOK_LIMIT && (listed.at(-1)!.key[1] as number) <= now) seen(now);
  if (jobs.length > 0) await store.doorbell.ring();
  return { jobs, nextAt };
}

/**
 * Fires the due ticks of one schedule whose due entry said `dueAt`, in one atomic op (see the
 * module doc). A due entry that no longer matches its schedule (removed, paused, moved on) is
 * deleted, checked against both; a lost race reads again.
 */
async function fireSchedule(
  store: Store,
  name: string,
  options: FireOptions & { dueAt: number },
): Promise<FireResult> {
  const { now } = options;
  const dueKey = keys.scheduleDue(options.dueAt, name);
  for (let i = 0; i < FIRE_TRIES; i++) {
    const [record, due] = await store.db.getMany<unknown>([keys.schedule(name), dueKey]);
    const s = record!.value as Schedule | null;
    // Its own next tick, as this read found it: where a worker that lost the race looks next.
    const own = s !== null && !s.paused ? s.next_at : null;
    if (due!.versionstamp === null) return { jobs: [], nextAt: own }; // Fired by another.
    if (s === null || s.paused || s.next_at !== options.dueAt) {
      // Cannot happen through our own ops (the entry moves with the record); tidy it anyway, so
      // it is not listed forever.
      const tx = new Tx().check(record!.key, record!.versionstamp)
        .check(due!.key, due!.versionstamp).delete(due!.key);
      if (await store.db.commit(tx) !== null) return { jobs: [], nextAt: own };
      continue;
    }
    // Loaded only now: a worker that never meets a cron schedule never carries the parser.
    if (needsCron([s])) await loadCron();
    const plan = planTicks(s, now);
    const ids = plan.fire.map((t) => tickId(name, t));
    const existing = await store.db.getMany<Job>(ids.map((id) => keys.job(id)));
    const tx = new Tx().check(record!.key, record!.versionstamp).check(due!.key, due!.versionstamp);
    const jobs: Job[] = [];
    for (const [n, id] of ids.entries()) {
      // A job of that id already there (enqueued by hand) is that tick's run: no second one.
      if (existing[n]!.versionstamp !== null) continue;
      const job = newJob(jobSpec(s, id), { now, maxRetries: options.maxRetries });
      tx.check(keys.job(id), null);
      applyTransition(tx, null, job);
      jobs.push(job);
    }
    const after: Schedule = {
      ...s,
      next_at: plan.nextAt,
      last_at: plan.fire.at(-1) ?? s.last_at,
      last_job: ids.at(-1) ?? s.last_job,
      updated_at: now,
    };
    tx.delete(due!.key).set(record!.key, after);
    if (plan.nextAt !== null) tx.set(keys.scheduleDue(plan.nextAt, name), name);
    if (await store.db.commit(tx) !== null) return { jobs, nextAt: plan.nextAt };
  }
  // Others kept winning: they are firing it. Look again soon.
  return { jobs: [], nextAt: now };
}

/** The spec of a tick's job: the schedule's template under the tick's id. */
function jobSpec(s: Schedule, id: string): JobSpec {
  const { command, priority, timeout, max_retries, cwd, labels } = s.spec;
  const spec: JobSpec = { id, command, priority, timeout };
  if (max_retries !== null) spec.max_retries = max_retries;
  if (cwd !== null) spec.cwd = cwd;
  if (labels) spec.labels = labels;
  if (s.spec.queue !== DEFAULT_QUEUE) spec.queue = s.spec.queue;
  return spec;
}
