/**
 * `queuectl logs ID`: the captured output of an attempt, raw bytes (or NDJSON lines with
 * `--json`), optionally followed live until the attempt ends. `--merged` prints both streams in
 * the order the worker read them, as a terminal would have shown them.
 *
 * @module
 */
import { buildCommand, type Command, type CommandContext } from "@stricli/core";
import { OperationError, UsageError } from "../errors.ts";
import { parseDecimal } from "../number_text.ts";
import { type Attempt, FINAL_STATES, type Job } from "../job.ts";
import { getJob, listAttempts } from "../store/query.ts";
import { outputCursor, type Piece } from "./logs_cursor.ts";
import type { OutputStream } from "../output_stream.ts";
import type { Store } from "../store/open.ts";
import type { Context } from "./context.ts";
import { optional, positional, toggle } from "./params.ts";
import { CommandExit, EXIT } from "./exit.ts";
import { jobExitCode } from "./wait_code.ts";

interface LogsFlags {
  stderr?: boolean;
  merged?: boolean;
  attempt?: string;
  follow?: boolean;
  json?: boolean;
}

/** How often a follower looks for new output: a local read costs well under a millisecond. */
const FOLLOW_POLL_MS = 100;

/** Builds the `logs` command. */
export function logsCommand(ctx: Context): Command<CommandContext> {
  return buildCommand({
    docs: { brief: "print the output of a job's latest (or given) attempt" },
    parameters: {
      flags: {
        stderr: toggle("print stderr instead of stdout"),
        merged: toggle("print stdout and stderr interleaved, in the order the worker read them"),
        attempt: optional("which attempt (default: the latest)", "n"),
        follow: toggle(
          "keep printing while the job runs, retries included; end when it ends, with its exit code",
        ),
        json: toggle('print NDJSON: {"attempt","stream","line"} per line, then an "end" object'),
      },
      aliases: { a: "attempt", f: "follow" },
      positional: { kind: "tuple", parameters: [positional("id", "job id")] },
    },
    func: async (flags: LogsFlags, id: string) => {
      // Bad input is told before a missing database or job.
      if (flags.stderr && flags.merged) {
        throw new UsageError("--stderr and --merged cannot be used together");
      }
      const asked = flags.attempt === undefined ? null : parseDecimal(flags.attempt, "--attempt");
      if (asked !== null && (!Number.isInteger(asked) || asked < 1)) {
        throw new UsageError(`--attempt must be a positive integer, got "${flags.attempt}"`);
      }
      const store = await ctx.store({ create: false });
      const job = await getJob(store, id);
      if (!job) throw new OperationError(`job "${id}" not found`);
      let n = job.runs;
      if (asked !== null) {
        if (asked > job.runs) {
          throw new OperationError(`job "${id}" has ${job.runs} attempt(s), not ${asked}`);
        }
        n = asked;
      }
      if (n === 0) {
        if (!flags.follow) return ctx.err(`job "${id}" has not run yet`);
        n = 1;
      }
      const stream = flags.merged ? "merged" : flags.stderr ? "stderr" : "stdout";
      for (;;) {
        const end = await printAttempt(ctx, store, { id, n, stream, ...flags });
        // Without --attempt, following means the job: a retry's output follows its failure's.
        if (!flags.follow || flags.attempt !== undefined || !end) return;
        const next = await nextAttempt(store, id, n);
        if (next === null) return exitAsJob(id, await getJob(store, id));
        if (!flags.json) {
          ctx.err(`queuectl: attempt ${n} ${end.outcome}; following attempt ${next}`);
        }
        n = next;
      }
    },
  });
}

/**
 * Ends a followed job's `logs` with the job's outcome code, as `queuectl wait` would: 0 when it
 * completed; a job deleted meanwhile is a failure (exit 1).
 */
function exitAsJob(id: string, job: Job | null): void {
  if (!job) throw new OperationError(`job "${id}" was deleted while followed`);
  const code = jobExitCode(job);
  if (code !== EXIT.ok) throw new CommandExit(code);
}

/** Prints one attempt's stream (following it while it runs); returns how it ended. */
async function printAttempt(
  ctx: Context,
  store: Store,
  options: {
    id: string;
    n: number;
    stream: OutputStream | "merged";
    follow?: boolean;
    json?: boolean;
  },
): Promise<AttemptEnd | null> {
  const { id, n, stream } = options;
  const print = options.json ? new NdjsonPrinter(ctx, n) : rawPrinter(ctx);
  const cursor = outputCursor(store, { id, n, stream });
  for (;;) {
    // Whether the attempt had ended is read before the output, so the last read sees all.
    const end = await attemptEnd(store, id, n);
    for (const piece of await cursor.next(end !== null)) print.piece(piece);
    if (!options.follow || end) {
      print.end(end);
      const total = stream === "merged"
        ? (end?.output?.stdout_bytes ?? 0) + (end?.output?.stderr_bytes ?? 0)
        : end?.output?.[`${stream}_bytes`];
      if (end?.output?.truncated && total !== undefined && total > cursor.bytes) {
        // Cut output is never passed off as whole: say so where the bytes don't go.
        ctx.err(
          `queuectl: ${stream === "merged" ? "output" : stream} of attempt ${n} was cut to its ` +
            `head and tail, ${total} bytes in all ` +
            `(config output_limit)`,
        );
      }
      return end;
    }
    await new Promise((r) => setTimeout(r, FOLLOW_POLL_MS));
  }
}

/** Waits for the attempt after `n` to start; null when the job ended (or went) instead. */
async function nextAttempt(store: Store, id: string, n: number): Promise<number | null> {
  for (;;) {
    const job = await getJob(store, id);
    if (!job) return null;
    if (job.runs > n) return n + 1;
    if (FINAL_STATES.includes(job.state)) return null;
    await new Promise((r) => setTimeout(r, FOLLOW_POLL_MS));
  }
}

/** How an attempt ended, or null while it may still produce output. */
interface AttemptEnd {
  outcome: string | null;
  exit_code: number | null;
  output?: Attempt["output"];
}

async function attemptEnd(store: Store, id: string, n: number): Promise<AttemptEnd | null> {
  const attempt = (await listAttempts(store, id)).find((a) => a.n === n);
  if (attempt?.finished_at != null) {
    return { outcome: attempt.outcome, exit_code: attempt.exit_code, output: attempt.output };
  }
  if (attempt) return null;
  // Not started: wait for it, unless the job has ended (or is gone) and will never run it.
  const job = await getJob(store, id);
  if (!job || (FINAL_STATES.includes(job.state) && job.runs < n)) {
    return { outcome: job ? job.state : "deleted", exit_code: null };
  }
  return null;
}

interface Printer {
  piece(piece: Piece): void;
  end(end: AttemptEnd | null): void;
}

function rawPrinter(ctx: Context): Printer {
  return { piece: (p) => ctx.out(p.data), end: () => {} };
}

/**
 * One JSON object per output line; a partial line waits for its newline or the end. Each stream
 * keeps its own partial line: merged, a line is printed when its stream ends it.
 */
class NdjsonPrinter implements Printer {
  #decoders = { stdout: new TextDecoder(), stderr: new TextDecoder() };
  #partial = { stdout: "", stderr: "" };

  constructor(private readonly ctx: Context, private readonly attempt: number) {}

  piece({ stream, data }: Piece): void {
    const text = this.#decoders[stream].decode(data, { stream: true });
    const lines = (this.#partial[stream] + text).split("\n");
    this.#partial[stream] = lines.pop() ?? "";
    for (const line of lines) this.#line(stream, line);
  }

  end(end: AttemptEnd | null): void {
    for (const stream of ["stdout", "stderr"] as const) {
      const rest = this.#partial[stream] + this.#decoders[stream].decode();
      if (rest !== "") this.#line(stream, rest);
    }
    if (end) {
      const { output, ...rest } = end;
      const truncated = output?.truncated ?? false;
      this.ctx.out(JSON.stringify({ attempt: this.attempt, event: "end", ...rest, truncated }));
    }
  }

  #line(stream: OutputStream, line: string): void {
    this.ctx.out(JSON.stringify({ attempt: this.attempt, stream, line }));
  }
}
