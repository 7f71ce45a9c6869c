/**
 * The command tree. Each command lives in its own file; this module wires them together and
 * turns every error into an exit code in one place.
 *
 * A line goes to the parser (`parser.ts`, loaded on demand) unless it is a plain line of a
 * command in `SIMPLE`, which `simple_args.ts` reads without it: a CLI start is dominated by
 * module loading, and the parser is the largest module.
 *
 * @module
 */
import { type Context, processContext } from "./context.ts";
import { exitFor } from "./exit.ts";
import type { EnqueueFlags } from "./enqueue_run.ts";
import type { CommandTable } from "./parser.ts";
import { type Scanned, scanSimple, type SimpleParameters } from "./simple_args.ts";
import { UsageError } from "../errors.ts";

/** The program's version, printed by `--version`. */
export const VERSION = "0.1.0";

/** Commands that only group subcommands: alone, they print their help and exit 2. */
const GROUPS = new Set(["worker", "dlq", "config", "schedule", "queue"]);

/**
 * Every command, in help order, loaded on demand: a run imports only the module of the command
 * it names, so `enqueue` does not pay for the web server or the worker at start-up.
 */
export const COMMANDS: CommandTable = {
  enqueue: async (ctx) => (await import("./enqueue.ts")).enqueueCommand(ctx),
  worker: async (ctx) => (await import("./worker.ts")).workerCommand(ctx),
  status: async (ctx) => (await import("./status.ts")).statusCommand(ctx),
  list: async (ctx) => (await import("./list.ts")).listCommand(ctx),
  show: async (ctx) => (await import("./show.ts")).showCommand(ctx),
  logs: async (ctx) => (await import("./logs.ts")).logsCommand(ctx),
  wait: async (ctx) => (await import("./wait.ts")).waitCommand(ctx),
  dlq: async (ctx) => (await import("./dlq.ts")).dlqCommand(ctx),
  queue: async (ctx) => (await import("./queue.ts")).queueCommand(ctx),
  config: async (ctx) => (await import("./config.ts")).configCommand(ctx),
  cancel: async (ctx) => (await import("./manage.ts")).cancelCommand(ctx),
  delete: async (ctx) => (await import("./manage.ts")).deleteCommand(ctx),
  retry: async (ctx) => (await import("./manage.ts")).retryCommand(ctx),
  purge: async (ctx) => (await import("./manage.ts")).purgeCommand(ctx),
  release: async (ctx) => (await import("./manage.ts")).releaseCommand(ctx),
  schedule: async (ctx) => (await import("./schedule.ts")).scheduleCommand(ctx),
  metrics: async (ctx) => (await import("./metrics.ts")).metricsCommand(ctx),
  doctor: async (ctx) => (await import("./doctor.ts")).doctorCommand(ctx),
  web: async (ctx) => (await import("./web.ts")).webCommand(ctx),
  demo: async (ctx) => (await import("./demo.ts")).demoCommand(ctx),
  completions: async (ctx) => (await import("./completions.ts")).completionsCommand(ctx, COMMANDS),
};

/** A command the CLI can run without the parser: its parameters, and a runner for them. */
interface SimpleCommand {
  /** The parameters the parser would get (`scanSimple` reads the same object). */
  parameters: SimpleParameters;
  /** Runs the command on what `scanSimple` read. */
  run(ctx: Context, scanned: Scanned): Promise<void>;
}

/**
 * Commands whose plain lines skip the parser, each loaded on demand. Only `enqueue` is here:
 * it is the one whose start-up is a measured figure (B1), and a job is often enqueued by a
 * script in a loop.
 */
const SIMPLE: Readonly<Record<string, () => Promise<SimpleCommand>>> = {
  enqueue: async () => {
    const { ENQUEUE_PARAMETERS, runEnqueue } = await import("./enqueue_run.ts");
    return {
      parameters: ENQUEUE_PARAMETERS,
      // The scanner gives parsed options their text and switches true: EnqueueFlags' shapes.
      run: (ctx, { flags, positionals }) => runEnqueue(ctx, flags as EnqueueFlags, positionals[0]),
    };
  },
};

/**
 * Runs the CLI with `args` and returns the exit code: 0 ok, 1 operation failed, 2 bad usage.
 * Nothing escapes as a stack trace.
 *
 * @example
 * ```ts
 * Deno.exit(await runCli(Deno.args));
 * ```
 */
export async function runCli(args: string[], context?: Context): Promise<number> {
  let db: string | undefined;
  const ctx = context ?? processContext(() => db);
  try {
    // Loaded only then: an argument with U+FFFD may be bytes that were not UTF-8 (raw_args.ts).
    if (args.some((a) => a.includes("\ufffd"))) {
      (await import("./raw_args.ts")).assertArgsUtf8(args);
    }
    const global = takeGlobal(args);
    db = global.db;
    let rest = global.rest;
    if (rest[0] === "--version" || rest[0] === "-V") {
      ctx.out(VERSION);
      return 0;
    }
    // `help <command>` is `<command> --help`.
    if (rest[0] === "help") rest = [...rest.slice(1), "--help"];
    // A bare program or group is a usage mistake: show what it offers, exit 2.
    if (rest.length === 0 || (rest.length === 1 && GROUPS.has(rest[0]!))) {
      await parse(ctx, [...rest, "--help"]);
      return 2;
    }
    if (Object.hasOwn(SIMPLE, rest[0]!)) {
      const command = await SIMPLE[rest[0]!]!();
      const scanned = scanSimple(rest.slice(1), command.parameters);
      if (scanned) {
        await command.run(ctx, scanned);
        return 0;
      }
    }
    return await parse(ctx, rest);
  } catch (err) {
    const { code, message } = exitFor(err);
    if (message) ctx.err(message);
    if (code === 1 && Deno.env.get("QUEUECTL_DEBUG")) console.error(err);
    return code;
  } finally {
    ctx.close();
  }
}

/** Loads the parser and runs it on `args` (see `parser.ts`). */
async function parse(ctx: Context, args: string[]): Promise<number> {
  return await (await import("./parser.ts")).parse(ctx, args, COMMANDS);
}

/**
 * Takes the global `--db` out of `args` wherever it appears before `--`, as the old parser
 * accepted it before or after the command.
 */
function takeGlobal(args: readonly string[]): { db?: string; rest: string[] } {
  const rest: string[] = [];
  let db: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === "--") {
      rest.push(...args.slice(i));
      break;
    }
    if (a === "--db") {
      if (i + 1 >= args.length) throw new UsageError("option '--db <path|url>' argument missing");
      db = args[++i];
    } else if (a.startsWith("--db=")) db = a.slice("--db=".length);
    else rest.push(a);
  }
  return { db, rest };
}
