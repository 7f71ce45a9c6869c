/**
 * The API's JSON as the dashboard reads it: only the fields it uses. Types only, for
 * `deno check`; no browser loads this file. The server's own types (`src/json_view.ts`,
 * `src/metrics.ts`, `src/web/api_read.ts`) are not imported: they would pull server modules into
 * the browser-typed check.
 *
 * @module
 */

/** A job, in the CLI's `--json` form: ISO times, timeout in seconds. */
export interface Job {
  /** The job's id. */
  id: string;
  /** The shell command it runs. */
  command: string;
  /** Its state: one of `STATES`. */
  state: string;
  /** Attempts charged against its retries. */
  attempts: number;
  /** Retries allowed after the first attempt. */
  max_retries: number;
  /** Higher runs first. */
  priority: number;
  /** When it is due. */
  run_at: string;
  /** Seconds an attempt may run, or null for no limit. */
  timeout: number | null;
  /** When it was enqueued. */
  created_at: string;
  /** When it last changed. */
  updated_at: string;
  /** When its latest attempt started. */
  started_at: string | null;
  /** When it reached a final state. */
  finished_at: string | null;
  /** Its latest attempt's exit code. */
  exit_code: number | null;
  /** Its latest failure. */
  last_error: string | null;
  /** The worker running it. */
  worker: string | null;
  /** Attempts run over its life, retries of a dead job included. */
  runs: number;
  /** Whether a cancel is waiting for its worker. */
  cancel_requested: boolean;
  /** The folder it runs in; null: the worker's own. */
  cwd: string | null;
  /** The id of its stored environment (the values are never sent). */
  env_id: string | null;
  /** Its labels, `{k: v}`; empty when it has none. */
  labels: Record<string, string>;
  /** Its queue (`default` when enqueued without one). */
  queue: string;
  /** The jobs it waits for; only on jobs enqueued with `--after`. */
  after?: string[];
  /** How many of those have not completed yet; only while it is blocked. */
  blocked_on?: number;
}

/** One attempt of a job. */
export interface Attempt {
  /** 1-based attempt number. */
  n: number;
  /** The worker that ran it. */
  worker: string;
  /** When it started. */
  started_at: string;
  /** Its exit code; null if a signal ended it or it still runs. */
  exit_code: number | null;
  /** The signal that ended it. */
  signal: string | null;
  /** How it ended (`succeeded`, `failed`, `timed_out`, …); null while it runs. */
  outcome: string | null;
  /** Why it failed. */
  error: string | null;
  /** Its run time in ms; null while it runs. */
  duration_ms: number | null;
}

/** `GET /api/jobs/:id`: the job and its attempts, oldest first. */
export interface JobDetail extends Job {
  /** Its variables' names (never the values); null when the stored environment is missing. */
  env_names: string[] | null;
  /** Its attempts, oldest first. */
  history: Attempt[];
}

/** `GET /api/jobs`: one page of jobs, or one call's worth of a search. */
export interface JobPage {
  /** The jobs. */
  jobs: Job[];
  /** Where the next page (or the search's next call) starts; null at the end. */
  next_cursor: string | null;
  /** Present for a search (`q`): how far it looked; `partial` when it stopped before the end. */
  search?: { scanned: number; complete: boolean; partial?: boolean; by?: string };
  /** How many jobs the filter holds, when the counters say so (null: unknown, e.g. a label). */
  total?: number | null;
  /** Present when a filter was applied within a bounded scan of an index that lacks it. */
  filtered?: { index: string; bounded_scan: number };
  /** The order: `created` (creation time) or `changed` (a state's latest transition). */
  sort?: "created" | "changed";
  /** With `sort` `created` and no label: `index`, `sorted` (a small state read whole) or `walk`. */
  read?: "index" | "sorted" | "walk";
  /** With `filtered.index` `created`: how many jobs the walk read. */
  scanned?: number;
  /** With `filtered.index` `created`: the walk's budget ended before the page filled. */
  partial?: boolean;
}

/** A registered worker, with how old its heartbeat is. */
export interface WorkerView {
  /** Its id; it includes the host name. */
  id: string;
  /** The host it runs on. */
  host: string;
  /** `idle`, `busy` or `stopping`. */
  state: string;
  /** The first job it runs, if busy. */
  job: string | null;
  /** Every job it runs, one per busy slot (absent from older servers). */
  jobs?: string[];
  /** How many jobs it runs at once. */
  slots?: number;
  /** Jobs it has finished. */
  processed: number;
  /** Its process id. */
  pid: number;
  /** When it started. */
  started_at: string;
  /** When it last beat. */
  heartbeat_at: string;
  /** How long ago it last beat. */
  heartbeat_age_ms: number;
}

/** `GET /api/status`: what every tick reads. */
export interface Status {
  /** Jobs per state. */
  counts: Record<string, number>;
  /** The registered workers. */
  workers: WorkerView[];
  /** Jobs in the DLQ. */
  dlq: number;
  /** Whether the server wants a token (the page then offers to log out). */
  auth_required: boolean;
  /** Whether the server runs with `--allow-worker-control` (the Workers page's buttons). */
  worker_control?: boolean;
}

/** Counts of one minute. */
export interface Minute {
  /** The minute's start (epoch ms). */
  minute: number;
  /** Attempts that succeeded. */
  completed: number;
  /** Attempts that failed and were retried. */
  retried: number;
  /** Jobs that entered the DLQ. */
  dead: number;
  /** Jobs enqueued. */
  enqueued: number;
  /** Mean wait from due to start of the jobs started that minute, ms; null: none started. */
  wait_avg_ms?: number | null;
  /** Most jobs pending that minute as sampled; null: no sample (older servers: absent). */
  depth?: number | null;
}

/** The median and 95th percentile of a duration, ms; null when nothing was measured. */
export interface Percentiles {
  /** The median. */
  p50: number | null;
  /** The 95th percentile. */
  p95: number | null;
}

/** `GET /api/metrics`: the last-hour report, as `queuectl metrics --json` prints it. */
export interface Metrics {
  /** When it was computed (epoch ms). */
  now: number;
  /** One entry per minute, oldest first, the current (partial) minute last. */
  per_minute: Minute[];
  /** The counters' totals over the hour. */
  window: Omit<Minute, "minute">;
  /** Completed ÷ (completed + dead), or null when none ended. */
  success_rate: number | null;
  /** Attempt run time. */
  run_ms: Percentiles;
  /** Wait from due to start. */
  wait_ms: Percentiles;
  /** Finished attempts per worker. */
  workers: { worker: string; completed: number; failed: number }[];
}

/** `GET /api/queues`: one queue, as `queue list --json` prints it. */
export interface Queue {
  /** The queue's name. */
  name: string;
  /** True while none of its jobs may start. */
  paused: boolean;
  /** At most this many of its jobs run at once; null: no limit. */
  concurrency: number | null;
  /** Its start rate as `queue set --rate` reads it (`"10/1m"`); null: none. */
  rate: string | null;
  /** Its jobs running now. */
  running: number;
  /** Its jobs per state. */
  counts: Record<string, number>;
}

/** `GET /api/schedules`: one recurring schedule, as `schedule list --json` prints it. */
export interface Schedule {
  /** The schedule's name. */
  name: string;
  /** Its cron expression, or null for an `every` schedule. */
  cron: string | null;
  /** Its interval (`"10m"`), or null for a cron schedule. */
  every: string | null;
  /** The cron expression's time zone; null for an `every` schedule. */
  tz: string | null;
  /** True while it enqueues nothing. */
  paused: boolean;
  /** The command each run enqueues. */
  command: string;
  /** The queue its jobs go to. */
  queue: string;
  /** When it next enqueues a job; null while paused. */
  next_run: string | null;
  /** When it last enqueued one. */
  last_run: string | null;
  /** The id of the job it last enqueued. */
  last_job: string | null;
}

/** One line of `POST /api/jobs/bulk`'s NDJSON answer. */
export interface BulkLine {
  /** Jobs looked at so far (progress lines). */
  done?: number;
  /** How many the selection holds, when the counters say so (null: unknown). */
  total?: number | null;
  /** The final counts (the last line). */
  result?: {
    action: string;
    changed: number;
    skipped: number;
    not_found: number;
    by_state: Record<string, number>;
  };
  /** A failure (the last line). */
  error?: string;
}
