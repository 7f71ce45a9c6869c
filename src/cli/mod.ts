/**
 * The command tree. Each command lives in its own file; this module wires them together and
 * turns every error into an exit code in one place.
 *
 * The parser is `@stricli/core`: plain ES modules without Node built-ins, so loading it costs
 * next to nothing (commander pulled in Deno's Node compatibility layer, ~60 ms per start).
 *
 * @module
 */
import {
  type Application,
  buildApplication,
  buildRouteMap,
  type Command,
  type CommandContext,
  type RouteMap,
  run,
  type StricliProcess,
} from "@stricli/core";
import { type Context, processContext } from "./context.ts";
import { exitFor, parserText, type RunFailure } from "./exit.ts";
import { UsageError } from "../errors.ts";
/** The program's version, printed by `--version`. */
export const VERSION = "0.1.0";

/** Commands that only group subcommands: alone, they print their help and exit 2. */
const GROUPS = new Set(["worker", "dlq", "config"]);

type Target = Command<CommandContext> | RouteMap<CommandContext>;

/**
 * Every command, in help order, loaded on demand: a run imports only the module of the command
 * it names, so `enqueue` does not pay for the web server or the worker at start-up.
 */
const COMMANDS: Record<string, (ctx: Context) => Promise<Target>> = {
  enqueue: async (ctx) => (await import("./enqueue.ts")).enqueueCommand(ctx),
  worker: async (ctx) => (await import("./worker.ts")).workerCommand(ctx),
  status: async (ctx) => (await import("./status.ts")).statusCommand(ctx),
  list: async (ctx) => (await import("./list.ts")).listCommand(ctx),
  show: async (ctx) => (await import("./show.ts")).showCommand(ctx),
  logs: async (ctx) => (await import("./logs.ts")).logsCommand(ctx),
  dlq: async (ctx) => (await import("./dlq.ts")).dlqCommand(ctx),
  config: async (ctx) => (await import("./config.ts")).configCommand(ctx),
  cancel: async (ctx) => (await import("./manage.ts")).cancelCommand(ctx),
  delete: async (ctx) => (await import("./manage.ts")).deleteCommand(ctx),
  purge: async (ctx) => (await import("./manage.ts")).purgeCommand(ctx),
  metrics: async (ctx) => (await import("./metrics.ts")).metricsCommand(ctx),
  doctor: async (ctx) => (await import("./doctor.ts")).doctorCommand(ctx),
  web: async (ctx) => (await import("./web.ts")).webCommand(ctx),
  demo: async (ctx) => (await import("./demo.ts")).demoCommand(ctx),
};

/**
 * Builds the command tree on a context: only the command `args` name when it is a known one,
 * else all of them (root help, suggestions for an unknown command). `failure` receives what a
 * command throws.
 *
 * @example
 * ```ts
 * const app = await buildProgram(ctx, {}, ["status"]);
 * ```
 */
export async function buildProgram(
  ctx: Context,
  failure: RunFailure,
  args: readonly string[],
): Promise<Application<CommandContext>> {
  const first = args[0] ?? "";
  const names = Object.hasOwn(COMMANDS, first) ? [first] : Object.keys(COMMANDS);
  const routes = Object.fromEntries(
    await Promise.all(names.map(async (name) => [name, await COMMANDS[name]!(ctx)] as const)),
  );
  const root = buildRouteMap({
    docs: {
      brief: "a background job queue for shell commands, on Deno KV",
      fullDescription: "a background job queue for shell commands, on Deno KV\n\n" +
        "Global options, before or after the command:\n" +
        "  --db <path|url>  database file or KV Connect URL (env QUEUECTL_DB)\n" +
        "  -V, --version    print the version",
    },
    routes,
  });
  return buildApplication(root, {
    name: "queuectl",
    scanner: { caseStyle: "allow-kebab-for-camel", allowArgumentEscapeSequence: true },
    documentation: { caseStyle: "convert-camel-to-kebab" },
    localization: { loadText: () => parserText(failure, args) },
  });
}

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

/** Runs the parser on `args`; rethrows what the command threw, or returns 0 or 2. */
async function parse(ctx: Context, args: string[]): Promise<number> {
  const failure: RunFailure = {};
  const messages: string[] = [];
  const process: StricliProcess = {
    // Only help text reaches here; its first usage line reads "Usage: queuectl …" as before.
    stdout: { write: (s) => ctx.out(s.replace(/^USAGE\n +/, "Usage: ").replace(/\n$/, "")) },
    // The parser's own messages: the first one is the one line we print.
    stderr: { write: (s) => void messages.push(s) },
    env: {},
  };
  await run(await buildProgram(ctx, failure, args), args, { process });
  if (failure.thrown) throw failure.error;
  if (!process.exitCode) return 0;
  const first = messages.map((m) => m.replace(/\s*\n\s*(?=\S)/g, " ").trim()).find((m) => m);
  ctx.err(first ?? "queuectl: invalid arguments");
  return 2;
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
