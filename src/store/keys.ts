/**
 * Every Deno KV key shape queuectl uses. No other module builds a key: a key literal anywhere
 * else is a bug. See docs/ARCHITECTURE.md for the keyspace table.
 *
 * @module
 */
import type { JobState } from "../job.ts";
import type { OutputStream } from "../output_stream.ts";
import { queueOf } from "../queue.ts";

/** Key builders. Prefixes end without the varying part so they can be listed. */
export const keys = {
  /** `["job", id]`: the job record, the source of truth. */
  job: (id: string): Deno.KvKey => ["job", id],
  /** Prefix of all job records. */
  jobs: ["job"] as Deno.KvKey,
  /**
   * `["ready", queue, -priority, seq, id]`: runnable now, listed per queue in priority-then-FIFO
   * order. `0 - priority` rather than `-priority`, because `-0` is a different KV key from `0`.
   */
  ready: (queue: string, priority: number, seq: string, id: string): Deno.KvKey => [
    "ready",
    queue,
    0 - priority,
    seq,
    id,
  ],
  /** Prefix of one queue's ready entries. */
  readyIn: (queue: string): Deno.KvKey => ["ready", queue],
  /** Prefix of all ready entries (by queue, then claim order). */
  readyAll: ["ready"] as Deno.KvKey,
  /**
   * `["queue", name]`: a queue's settings (`QueueSettings` in `queue.ts`). Made by the first
   * enqueue into a named queue, or by `queue set`/`pause`; `default` has one only once set.
   */
  queue: (name: string): Deno.KvKey => ["queue", name],
  /** Prefix of the queue registry. */
  queues: ["queue"] as Deno.KvKey,
  /**
   * `["qcount", queue, state]`: a `Deno.KvU64` count of the queue's jobs in that state, moved by
   * `applyTransition` beside `["count", state]`; its `processing` entry is the running count a
   * concurrency limit is checked against.
   */
  qcount: (queue: string, state: JobState): Deno.KvKey => ["qcount", queue, state],
  /** Prefix of one queue's counters, or (without a name) of every queue's. */
  qcounts: (queue?: string): Deno.KvKey => queue === undefined ? ["qcount"] : ["qcount", queue],
  /**
   * `["qstarts", queue]`: the recent start times (ms, oldest first, at most the rate's limit) of
   * a queue with a rate, rewritten by each claim of it in the claim's atomic op.
   */
  qstarts: (queue: string): Deno.KvKey => ["qstarts", queue],
  /** `["scheduled", runAtMs, id]`: delayed jobs and backoff retries, listed by due time. */
  scheduled: (runAt: number, id: string): Deno.KvKey => ["scheduled", runAt, id],
  /** Prefix of all scheduled entries. */
  scheduledAll: ["scheduled"] as Deno.KvKey,
  /**
   * `["state", state, seq, id]`: jobs of one state, oldest transition first. Pending jobs have
   * none: their `ready` entry lists them (see {@linkcode keys.listing}).
   */
  state: (state: JobState, seq: string, id: string): Deno.KvKey => ["state", state, seq, id],
  /** Prefix of one state's index. */
  stateAll: (state: JobState): Deno.KvKey => ["state", state],
  /**
   * The prefix that lists the jobs of one state: `ready` for pending jobs (so by queue, then in
   * claim order),
   * the state index for every other state. A bulk enqueue of pending jobs then writes two rows
   * per job, not three, and that is what SQLite's time goes on.
   */
  listing: (state: JobState): Deno.KvKey => state === "pending" ? ["ready"] : ["state", state],
  /** The entry that lists `job` in its state, under {@linkcode keys.listing}. */
  listedAt: (
    job: { state: JobState; priority: number; seq: string; id: string; queue?: string },
  ): Deno.KvKey =>
    job.state === "pending"
      ? keys.ready(queueOf(job), job.priority, job.seq, job.id)
      : keys.state(job.state, job.seq, job.id),
  /**
   * `["label", key, value, createdAt, id]`: a job with that label, oldest enqueued first. Written
   * with the job and deleted with it (labels never change), so it holds jobs of every state.
   */
  label: (key: string, value: string, createdAt: number, id: string): Deno.KvKey => [
    "label",
    key,
    value,
    createdAt,
    id,
  ],
  /** Prefix of the jobs with one label (or, with the key alone, of every value of it). */
  labelAll: (key: string, value?: string): Deno.KvKey =>
    value === undefined ? ["label", key] : ["label", key, value],
  /** Prefix of the whole label index. */
  labels: ["label"] as Deno.KvKey,
  /**
   * `["created", createdAtMs, id]`: a job whose id does not sort by its creation time (an id a
   * user picked), value its id. Written with the job and deleted with it, like a label entry.
   * Generated ids need none: their `job` keys already sort by creation time, and "newest first"
   * over all states merges the two walks (see `created_page.ts`).
   */
  created: (createdAt: number, id: string): Deno.KvKey => ["created", createdAt, id],
  /** Prefix of the creation index. */
  createdAll: ["created"] as Deno.KvKey,
  /** `["count", state]`: a `Deno.KvU64` counter kept in step with the state's listing. */
  count: (state: JobState): Deno.KvKey => ["count", state],
  /**
   * `["dep", parentId, childId]`: a reverse dependency edge, written when `childId` is enqueued
   * after `parentId` (not yet final), deleted by the propagation in the same atomic operation
   * that tells the child the parent's outcome. Value: `true`.
   */
  dep: (parent: string, child: string): Deno.KvKey => ["dep", parent, child],
  /** Prefix of one job's dependents' edges. */
  deps: (parent: string): Deno.KvKey => ["dep", parent],
  /**
   * `["dep_done", parentId]`: the final state a job with dependents reached, written by the
   * transition that made it final; the propagation deletes it once no `dep` edge of it is left.
   */
  depDone: (parent: string): Deno.KvKey => ["dep_done", parent],
  /** Prefix of every propagation still to do. */
  depDoneAll: ["dep_done"] as Deno.KvKey,
  /**
   * `["unique", key]`: the job holding a unique key (`--unique-key`), value
   * `{ id, until }` (`until`: the window's end in ms, or null). Taken by the enqueue's atomic op
   * with a check; deleted by the transition that makes the holder final when there is no
   * window, else taken over once the window has passed (see `unique.ts`).
   */
  unique: (key: string): Deno.KvKey => ["unique", key],
  /** Prefix of every unique entry. */
  uniqueAll: ["unique"] as Deno.KvKey,
  /**
   * `["schedule", name]`: a recurring schedule (see `schedule.ts`): its cadence, job template,
   * `next_at`, `last_at` and `last_job`. Changed only together with its due entry.
   */
  schedule: (name: string): Deno.KvKey => ["schedule", name],
  /** Prefix of every schedule. */
  schedules: ["schedule"] as Deno.KvKey,
  /**
   * `["schedule_due", nextAt, name]`: an unpaused schedule by its next tick, value its name, so
   * a worker finds the due ones with one short list. Moved by the atomic op that fires a tick.
   */
  scheduleDue: (nextAt: number, name: string): Deno.KvKey => ["schedule_due", nextAt, name],
  /** Prefix of every due entry. */
  scheduleDueAll: ["schedule_due"] as Deno.KvKey,
  /** `["worker", workerId]`: registry entry and heartbeat. */
  worker: (workerId: string): Deno.KvKey => ["worker", workerId],
  /** Prefix of the worker registry. */
  workers: ["worker"] as Deno.KvKey,
  /** `["control", workerId]`: a stop request for a worker, honoured on its next heartbeat. */
  control: (workerId: string): Deno.KvKey => ["control", workerId],
  /** `["attempt", id, n]`: history of the n-th run of a job. */
  attempt: (id: string, n: number): Deno.KvKey => ["attempt", id, n],
  /** Prefix of one job's attempt history. */
  attempts: (id: string): Deno.KvKey => ["attempt", id],
  /** `["output", id, n, stream, chunk]`: captured output, chunked under the value limit. */
  output: (id: string, n: number, stream: OutputStream, chunk: number): Deno.KvKey => [
    "output",
    id,
    n,
    stream,
    chunk,
  ],
  /**
   * `["output", id, n, "runs"]`: the order the worker read an attempt's two streams in, one small
   * value beside its chunks (a stream's chunk prefix has one more part, so it never lists it).
   */
  outputRuns: (id: string, n: number): Deno.KvKey => ["output", id, n, "runs"],
  /** Prefix of one stream of one attempt (or, with fewer parts, of a whole job's output). */
  outputs: (id: string, n?: number, stream?: OutputStream): Deno.KvKey =>
    n === undefined ? ["output", id] : stream === undefined ? ["output", id, n] : [
      "output",
      id,
      n,
      stream,
    ],
  /**
   * `["env", envId, chunk]`: a stored job environment (its canonical JSON text, in chunks under
   * the value limit), named by a hash of its content so equal environments share it.
   */
  env: (envId: string, chunk: number): Deno.KvKey => ["env", envId, chunk],
  /** Prefix of one stored environment's chunks, or (without an id) of all of them. */
  envs: (envId?: string): Deno.KvKey => envId === undefined ? ["env"] : ["env", envId],
  /**
   * `["env_refs", envId]`: a `Deno.KvU64` count of the jobs that reference the environment,
   * moved in the same atomic op as the job records; at 0 the sweep removes the environment.
   */
  envRefs: (envId: string): Deno.KvKey => ["env_refs", envId],
  /** Prefix of every environment's reference count. */
  envRefsAll: ["env_refs"] as Deno.KvKey,
  /** `["config", key]`: one runtime configuration value. */
  config: (key: string): Deno.KvKey => ["config", key],
  /**
   * `["hook", seq, id]`: a finish hook still to run for job `id`, written with its final
   * transition (`seq` is that transition's) while a hook is configured; oldest first.
   */
  hook: (seq: string, id: string): Deno.KvKey => ["hook", seq, id],
  /** Prefix of all finish hooks still to run. */
  hooksAll: ["hook"] as Deno.KvKey,
  /** Prefix of all configuration values. */
  configAll: ["config"] as Deno.KvKey,
  /**
   * `["metric", "m", minuteMs, ...name]`: a `Deno.KvU64` counter of one minute, written in the
   * transition's atomic op. Names: a counter, `run`/`wait` and a bucket, `run_sum`/`wait_sum`,
   * `run_max`, or `worker`, a worker id and `completed`/`failed`.
   */
  metricMinute: (minute: number, ...name: (string | number)[]): Deno.KvKey => [
    "metric",
    "m",
    minute,
    ...name,
  ],
  /**
   * `["metric", "m", minuteMs, "tally", workerId]`: one worker's counts of that minute in one value
   * (see `metric_tally.ts`), which it rewrites with each of its transitions.
   */
  metricTally: (minute: number, workerId: string): Deno.KvKey => [
    "metric",
    "m",
    minute,
    "tally",
    workerId,
  ],
  /**
   * `["metric", "m", minuteMs, "depth"]`: a `Deno.KvU64`, the most jobs seen pending (ready, not
   * yet claimed) in that minute, raised by each worker's once-a-minute sample (`metric_depth.ts`).
   * Not folded into the all-time totals: a depth has no sum.
   */
  metricDepth: (minute: number): Deno.KvKey => ["metric", "m", minute, "depth"],
  /** Prefix of every minute bucket. */
  metricMinutes: ["metric", "m"] as Deno.KvKey,
  /**
   * `["metric", "f", ...name]`: an all-time total of what swept minutes held (a counter, `run`/`wait`
   * and a bucket, `run_sum`, `wait_sum`). All-time figures are these plus the live minutes.
   */
  metricFolded: (...name: Deno.KvKeyPart[]): Deno.KvKey => ["metric", "f", ...name],
  /** Prefix of the folded totals. */
  metricFoldedAll: ["metric", "f"] as Deno.KvKey,
  /** `["probe"]`: written by `worker start` to learn that the database takes writes. */
  probe: ["probe"] as Deno.KvKey,
  /**
   * `["doorbell"]`: a counter bumped after enqueue, DLQ retry, promotion and requeue, so idle
   * workers on a remote KV can `watch` it.
   */
  doorbell: ["doorbell"] as Deno.KvKey,
  /** `["probe_watch"]`: written by `doctor` to learn whether `watch` delivers. */
  probeWatch: ["probe_watch"] as Deno.KvKey,
} as const;
