/**
 * A worker process's registry entry as it keeps it: what its slots run (each job with its
 * process group), written by each heartbeat, in order.
 *
 * @module
 */
import type { Store } from "../store/open.ts";
import { putWorker, type WorkerRecord } from "../store/workers.ts";
import type { RunningJob } from "../worker_record.ts";

/**
 * The first entry of this process's worker `id` on `host`, with `slots` slots, at `now`.
 *
 * @example
 * ```ts
 * newEntry({ id: "h:42:ab", host: "h", slots: 4, now: Date.now() }).state; // "idle"
 * ```
 */
export function newEntry(
  options: { id: string; host: string; slots: number; now: number },
): WorkerRecord {
  return {
    id: options.id,
    pid: Deno.pid,
    host: options.host,
    state: "idle",
    job: null,
    job_pgid: null,
    jobs: [],
    slots: options.slots,
    started_at: options.now,
    heartbeat_at: options.now,
    processed: 0,
    supervisor: Number(Deno.env.get("QUEUECTL_SUPERVISOR")) || null,
  };
}

/**
 * The entry as of `now` for a worker whose slots run `jobs` (pure): `busy` while any runs,
 * `stopping` once stopping, `job`/`job_pgid` the first job (for readers of one job per worker).
 *
 * @example
 * ```ts
 * import type { WorkerRecord } from "../worker_record.ts";
 * declare const record: WorkerRecord;
 * entryAt(record, { jobs: [{ id: "a", pgid: 7 }], stopping: false, now: Date.now() }).state; // "busy"
 * ```
 */
export function entryAt(
  record: WorkerRecord,
  options: { jobs: RunningJob[]; stopping: boolean; now: number },
): WorkerRecord {
  const { jobs } = options;
  const state = options.stopping ? "stopping" : jobs.length > 0 ? "busy" : "idle";
  const first = jobs[0];
  return {
    ...record,
    state,
    jobs,
    job: first?.id ?? null,
    job_pgid: first?.pgid ?? null,
    heartbeat_at: options.now,
  };
}

/**
 * Keeps one worker's registry entry: `beat()` writes it as the slots stand, `beatSoon()` within
 * 50 ms (once for all asks in between), and writes never overtake each other.
 *
 * @example
 * ```ts
 * import type { Store } from "../store/open.ts";
 * import type { WorkerRecord } from "../worker_record.ts";
 * declare const store: Store;
 * declare const record: WorkerRecord;
 * const stop = new AbortController();
 * const entry = new RegistryEntry(store, record, { jobs: () => [], stopping: stop.signal });
 * await entry.beat();
 * await entry.close();
 * ```
 */
export class RegistryEntry {
  readonly #store: Store;
  #record: WorkerRecord;
  readonly #jobs: () => RunningJob[];
  readonly #stopping: AbortSignal;
  /** Writes in order, so a late one never lands after a newer one or after the removal. */
  #writes: Promise<void> = Promise.resolve();
  #soon: ReturnType<typeof setTimeout> | undefined;

  /**
   * @param store where the entry lives
   * @param record the entry at start
   * @param options `jobs` lists what the slots run now; `stopping` aborts when the worker stops
   */
  constructor(
    store: Store,
    record: WorkerRecord,
    options: { jobs: () => RunningJob[]; stopping: AbortSignal },
  ) {
    this.#store = store;
    this.#record = record;
    this.#jobs = options.jobs;
    this.#stopping = options.stopping;
  }

  /** Jobs finished so far. */
  get processed(): number {
    return this.#record.processed;
  }

  /** Counts one finished job (published with the next beat). */
  countProcessed(): void {
    this.#record.processed++;
  }

  /** Records this host's measured clock offset; the next beat publishes it. */
  setClockOffset(ms: number | null): void {
    this.#record.clock_offset_ms = ms;
  }

  /** Writes the entry as the slots stand now. */
  beat(): Promise<void> {
    const stopping = this.#stopping.aborted;
    this.#record = entryAt(this.#record, { jobs: this.#jobs(), stopping, now: Date.now() });
    const record = this.#record;
    const write = this.#writes.then(() => putWorker(this.#store, record));
    this.#writes = write.catch(() => {});
    return write;
  }

  /**
   * Writes within 50 ms: a process group to publish (a recoverer needs it to kill orphans),
   * though not for jobs that end sooner, for which the write would cost more than the job.
   */
  beatSoon(): void {
    this.#soon ??= setTimeout(() => {
      this.#soon = undefined;
      this.beat().catch(() => {});
    }, 50);
  }

  /** Cancels a pending `beatSoon` and waits for the writes under way. */
  async close(): Promise<void> {
    clearTimeout(this.#soon);
    this.#soon = undefined;
    await this.#writes;
  }
}
