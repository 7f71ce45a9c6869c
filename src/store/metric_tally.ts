/**
 * One worker's metric counts of the current minute, kept as a single KV value that the worker
 * rewrites in the same atomic operation as each of its transitions. A busy worker's claim and
 * finish then add one `set` (and one check) to the commit instead of about eight `sum`s of
 * separate counter keys, which is most of the SQLite work metrics cost per job. The counts still
 * commit or fail with the transition, so they cannot drift: the worker is the key's only writer,
 * and every write checks the versionstamp it last saw, so a write it missed (a sweep that folded
 * the minute, a second handle with the same worker id) fails the commit and makes it re-read.
 *
 * @module
 */
import { bucketOf, type Counter, COUNTERS, minuteOf, type TransitionEvents } from "../metrics.ts";
import {
  MAX_TALLY_QUEUES,
  OTHER_QUEUES,
  QUEUE_FIGURES,
  type QueueFigure,
  queueFigures,
} from "../queue_metrics.ts";
import type { Tx } from "./db.ts";
import { keys } from "./keys.ts";
import type { Store } from "./open.ts";

/**
 * The stored counts: `started`…`interrupted`, `run.<bucket>` and `wait.<bucket>` sample counts,
 * `run_sum`/`wait_sum` in ms, `run_max`, `worker.completed`/`worker.failed`, and for jobs of
 * named queues `q.<figure>.<queue>` (`q.completed.build`; see `queue_metrics.ts`), for at most
 * `MAX_TALLY_QUEUES` queues, the rest under `OTHER_QUEUES`.
 */
export type TallyValue = Record<string, number>;

/**
 * A worker's tally of the current minute. Pass it to `claimNext`, `finishAndClaimNext` and
 * `finishAttempt`; each commits through `commitCounted` (`counted_commit.ts`), which calls
 * {@linkcode MetricTally.ready}, then {@linkcode MetricTally.draft} for the commit it builds,
 * and {@linkcode MetricTally.settle} with the commit's result.
 *
 * @example
 * ```ts
 * import { claimNext } from "./claim.ts";
 * import type { Store } from "./open.ts";
 * declare const store: Store;
 * const tally = new MetricTally("host:1:0");
 * await claimNext(store, { workerId: "host:1:0", now: Date.now(), tally });
 * ```
 */
export class MetricTally {
  /** The worker whose transitions it counts. */
  readonly workerId: string;
  #minute = -1;
  #value: TallyValue = {};
  #versionstamp: string | null = null;
  /** False until read, and after commits that carried it failed twice in a row. */
  #known = false;
  /** Failed commits in a row that carried this tally. */
  #failures = 0;
  /** The commit under way, if any: the next one waits for it (see `exclusive`). */
  #turn: Promise<unknown> = Promise.resolve();

  /** @param workerId the worker whose transitions it counts */
  constructor(workerId: string) {
    this.workerId = workerId;
  }

  /**
   * Runs `fn` (ready, draft, commit, settle) after the commits already under way with this
   * tally. A worker's slots share one tally, and two drafts of the same value committed side by
   * side would have the second fail its check and count as a lost race: one at a time, each
   * draft starts from the value the previous commit left.
   */
  exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.#turn.then(fn, fn);
    this.#turn = run.catch(() => {});
    return run;
  }

  /** Reads the stored value of `now`'s minute, if what this process holds may be stale. */
  async ready(store: Store, now: number): Promise<void> {
    const minute = minuteOf(now);
    if (this.#known && minute === this.#minute) return;
    if (this.#known && minute > this.#minute) {
      // A new minute: nothing has written it yet, and the check of null would catch it if so.
      this.#adopt(minute, {}, null);
      return;
    }
    const entry = await store.db.get<TallyValue>(keys.metricTally(minute, this.workerId));
    this.#adopt(minute, entry.value ?? {}, entry.versionstamp);
    this.#failures = 0;
  }

  /** A copy to count one commit's transitions into; `now` picks the minute. */
  draft(now: number): TallyDraft {
    const minute = minuteOf(now);
    const fresh = minute !== this.#minute || !this.#known;
    return new TallyDraft(this.workerId, minute, fresh ? {} : { ...this.#value }, {
      versionstamp: fresh ? null : this.#versionstamp,
    });
  }

  /**
   * Takes the result of the commit that carried `draft`: its versionstamp, or null if it failed.
   * A failed commit says not which check failed, and it is nearly always a lost race for a job,
   * not the tally (which only this worker writes). So the value is kept for one more try, whose
   * commit checks it again, and re-read only after a second failure in a row: a lost race then
   * costs no extra read, and a stale tally one extra failed commit, never a lost count.
   */
  settle(draft: TallyDraft, versionstamp: string | null): void {
    if (!draft.dirty) return;
    if (versionstamp === null) {
      if (++this.#failures >= 2) this.#known = false;
    } else {
      this.#failures = 0;
      this.#adopt(draft.minute, draft.value, versionstamp);
    }
  }

  #adopt(minute: number, value: TallyValue, versionstamp: string | null): void {
    this.#minute = minute;
    this.#value = value;
    this.#versionstamp = versionstamp;
    this.#known = true;
  }
}

/** One commit's view of a tally: the counts it adds, then the checked write of the result. */
export class TallyDraft {
  /** The worker whose transitions it counts. */
  readonly workerId: string;
  /** The minute it counts. */
  readonly minute: number;
  /** The counts as they will be written. */
  readonly value: TallyValue;
  readonly #versionstamp: string | null;
  #dirty = false;

  /** @param options the versionstamp `value` was read with (null: the key does not exist) */
  constructor(
    workerId: string,
    minute: number,
    value: TallyValue,
    options: { versionstamp: string | null },
  ) {
    this.workerId = workerId;
    this.minute = minute;
    this.value = value;
    this.#versionstamp = options.versionstamp;
  }

  /** True once it counted something, so the commit must write it. */
  get dirty(): boolean {
    return this.#dirty;
  }

  /**
   * Counts `events` if all of them belong to this minute and this worker; returns false (and
   * counts nothing) otherwise, and the caller writes them as counter keys.
   */
  absorb(events: TransitionEvents): boolean {
    if (minuteOf(events.at) !== this.minute) return false;
    if (events.samples.some((s) => minuteOf(s.at) !== this.minute)) return false;
    if (events.worker && events.worker.id !== this.workerId) return false;
    const v = this.value;
    for (const c of events.counters) v[c] = (v[c] ?? 0) + 1;
    for (const s of events.samples) {
      const bucket = `${s.timing}.${bucketOf(s.ms)}`;
      v[bucket] = (v[bucket] ?? 0) + s.delta;
      v[`${s.timing}_sum`] = (v[`${s.timing}_sum`] ?? 0) + s.delta * Math.round(s.ms);
      if (s.timing === "run") v.run_max = Math.max(v.run_max ?? 0, Math.round(s.ms));
    }
    if (events.worker) {
      const outcome = events.worker.ok ? "worker.completed" : "worker.failed";
      v[outcome] = (v[outcome] ?? 0) + 1;
    }
    const figures = queueFigures(events);
    if (figures.length > 0) {
      const slot = tallySlot(v, events.queue!);
      for (const [f, n] of figures) v[`q.${f}.${slot}`] = (v[`q.${f}.${slot}`] ?? 0) + n;
    }
    this.#dirty = true;
    return true;
  }

  /** Adds the checked write of the counts to `tx`, if it counted anything. */
  write(tx: Tx): void {
    if (!this.#dirty) return;
    const key = keys.metricTally(this.minute, this.workerId);
    tx.check(key, this.#versionstamp).set(key, this.value);
  }
}

/**
 * The name `queue`'s figures take in tally `v`: its own while the tally names it or names fewer
 * than `MAX_TALLY_QUEUES` queues, else `OTHER_QUEUES`. Only a queue new to the tally costs a
 * look at all its names, once a minute per worker and queue.
 */
function tallySlot(v: TallyValue, queue: string): string {
  for (const f of QUEUE_FIGURES) if (`q.${f}.${queue}` in v) return queue;
  const named = new Set<string>();
  for (const part of Object.keys(v)) {
    if (part.startsWith("q.")) named.add(part.slice(part.indexOf(".", 2) + 1));
  }
  named.delete(OTHER_QUEUES);
  return named.size < MAX_TALLY_QUEUES ? queue : OTHER_QUEUES;
}

/**
 * What a stored tally counts, as the minute counter names it stands for (`["run", 6]`,
 * `["worker", id, "completed"]`, `["q", "build", "completed"]`…) and their values, so readers and the sweep treat it like
 * those keys (pure).
 *
 * @example
 * ```ts
 * tallyParts("w1", { started: 2, "wait.3": 2 }); // [[["started"], 2], [["wait", 3], 2]]
 * ```
 */
export function tallyParts(workerId: string, value: unknown): [Deno.KvKeyPart[], number][] {
  const out: [Deno.KvKeyPart[], number][] = [];
  if (!value || typeof value !== "object") return out;
  for (const [part, n] of Object.entries(value as TallyValue)) {
    if (typeof n !== "number" || n === 0 && part !== "run_max") continue;
    const dot = part.indexOf(".");
    const head = dot < 0 ? part : part.slice(0, dot);
    const tail = part.slice(dot + 1);
    if (head === "run" || head === "wait") out.push([[head, Number(tail)], n]);
    else if (head === "worker") out.push([["worker", workerId, tail], n]);
    else if (head === "q") {
      // `q.<figure>.<queue>`: the figure has no dot, the queue name may.
      const split = tail.indexOf(".");
      const figure = tail.slice(0, split);
      if (split > 0 && QUEUE_FIGURES.includes(figure as QueueFigure)) {
        out.push([["q", tail.slice(split + 1), figure], n]);
      }
    } else if (head === "run_sum" || head === "wait_sum" || head === "run_max") {
      out.push([[head], n]);
    } else if (COUNTERS.includes(head as Counter)) out.push([[head], n]);
  }
  return out;
}
