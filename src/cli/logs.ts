/**
 * `queuectl logs ID`: the captured output of an attempt, raw bytes (or NDJSON lines with
 * `--json`), optionally followed live until the attempt ends.
 *
 * @module
 */
import { buildCommand, type Command, type CommandContext } from "@stricli/core";
import { OperationError, UsageError } from "../errors.ts";
import { parseDecimal } from "../number_text.ts";
import { type Attempt, FINAL_STATES, type Job } from "../job.ts";
import { getJob, listAttempts } from "../store/query.ts";
import { readOutput } from "../store/output.ts";
import type { OutputStream } from "../output_stream.ts";
import type { Store } from "../store/open.ts";
import type { Context } from "./context.ts";
import { optional, positional, toggle } from "./params.ts";
import { CommandExit, EXIT } from "./exit.ts";
import { jobExitCode } from "./wait_code.ts";

interface LogsFlags {
  stderr?: boolean;
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
      const stream: OutputStream = flags.stderr ? "stderr" : "stdout";
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
  options: { id: string; n: number; stream: OutputStream; follow?: boolean; json?: boolean },
): Promise<AttemptEnd | null> {
  const { id, n, stream } = options;
  const print = options.json ? new NdjsonPrinter(ctx, n, stream) : rawPrinter(ctx);
  const cursor = new OutputCursor(store, { id, n, stream });
  for (;;) {
    // Whether the attempt had ended is read before the output, so the last read sees all.
    const end = await attemptEnd(store, id, n);
    for (const bytes of await cursor.next()) print.bytes(bytes);
    if (!options.follow || end) {
      print.end(end);
      const total = end?.output?.[`${stream}_bytes`];
      if (end?.output?.truncated && total !== undefined && total > cursor.bytes) {
        // Cut output is never passed off as whole: say so where the bytes don't go.
        ctx.err(
          `queuectl: ${stream} of attempt ${n} was cut to its head and tail, ${total} bytes in all ` +
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

/** Reads one stream's chunks and returns only the bytes not returned before. */
class OutputCursor {
  #chunk = 0;
  #offset = 0;
  /** Bytes returned so far. */
  bytes = 0;

  constructor(
    private readonly store: Store,
    private readonly where: { id: string; n: number; stream: OutputStream },
  ) {}

  async next(): Promise<Uint8Array[]> {
    const { id, n, stream } = this.where;
    const out: Uint8Array[] = [];
    for (const c of await readOutput(this.store, id, n, { stream, fromChunk: this.#chunk })) {
      // The last chunk grows in place: return only what is new since the last look.
      const fresh = c.index === this.#chunk ? c.data.subarray(this.#offset) : c.data;
      if (fresh.byteLength > 0) out.push(fresh);
      this.bytes += fresh.byteLength;
      this.#chunk = c.index;
      this.#offset = c.data.byteLength;
    }
    return out;
  }
}

interface Printer {
  bytes(data: Uint8Array): void;
  end(end: AttemptEnd | null): void;
}

function rawPrinter(ctx: Context): Printer {
  return { bytes: (data) => ctx.out(data), end: () => {} };
}

/** One JSON object per output line; a partial line waits for its newline or the end. */
class NdjsonPrinter implements Printer {
  #decoder = new TextDecoder();
  #partial = "";

  constructor(
    private readonly ctx: Context,
    private readonly attempt: number,
    private readonly stream: OutputStream,
  ) {}

  bytes(data: Uint8Array): void {
    const lines = (this.#partial + this.#decoder.decode(data, { stream: true })).split("\n");
    this.#partial = lines.pop() ?? "";
    for (const line of lines) this.#line(line);
  }

  end(end: AttemptEnd | null): void {
    const rest = this.#partial + this.#decoder.decode();
    if (rest !== "") this.#line(rest);
    if (end) {
      const { output, ...rest } = end;
      const truncated = output?.truncated ?? false;
      this.ctx.out(JSON.stringify({ attempt: this.attempt, event: "end", ...rest, truncated }));
    }
  }

  #line(line: string): void {
    this.ctx.out(JSON.stringify({ attempt: this.attempt, stream: this.stream, line }));
  }
}
