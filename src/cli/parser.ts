/**
 * The parser's side of the CLI: the command tree built on `@stricli/core`, run on the words of
 * a command line. `mod.ts` loads this module only for lines that `simple_args.ts` does not
 * read, since loading the parser and compiling its code costs about 15 ms of CPU.
 *
 * The parser is `@stricli/core`: plain ES modules without Node built-ins (commander pulled in
 * Deno's Node compatibility layer, ~60 ms per start).
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
import type { Context } from "./context.ts";
import { parserText, type RunFailure } from "./parser_text.ts";

/** A command or a group of commands, as the parser takes it. */
export type Target = Command<CommandContext> | RouteMap<CommandContext>;

/** Every command by name, each built on demand (see `COMMANDS` in `mod.ts`). */
export type CommandTable = Readonly<Record<string, (ctx: Context) => Promise<Target>>>;

/**
 * How the parser reads words and prints names: both `--run-at` and `--runAt` are accepted,
 * help shows kebab-case, and `--` ends the options.
 */
export const PARSER_CONFIG = {
  scanner: { caseStyle: "allow-kebab-for-camel", allowArgumentEscapeSequence: true },
  documentation: { caseStyle: "convert-camel-to-kebab" },
} as const;

/**
 * Builds the command tree on a context: only the command `args` name when it is a known one,
 * else all of them (root help, suggestions for an unknown command). `failure` receives what a
 * command throws.
 *
 * @example
 * ```ts
 * import type { Context } from "./context.ts";
 * import { COMMANDS } from "./mod.ts";
 * declare const ctx: Context;
 * const app = await buildProgram(ctx, {}, ["status"], COMMANDS);
 * ```
 */
export async function buildProgram(
  ctx: Context,
  failure: RunFailure,
  args: readonly string[],
  commands: CommandTable,
): Promise<Application<CommandContext>> {
  const first = args[0] ?? "";
  const names = Object.hasOwn(commands, first) ? [first] : Object.keys(commands);
  const routes = Object.fromEntries(
    await Promise.all(names.map(async (name) => [name, await commands[name]!(ctx)] as const)),
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
    ...PARSER_CONFIG,
    localization: { loadText: () => parserText(failure, args) },
  });
}

/**
 * Runs the parser on `args`: rethrows what the command threw, or returns 0, or prints the
 * parser's one-line complaint and returns 2.
 *
 * @example
 * ```ts
 * import type { Context } from "./context.ts";
 * import { COMMANDS } from "./mod.ts";
 * declare const ctx: Context;
 * const code = await parse(ctx, ["status"], COMMANDS);
 * ```
 */
export async function parse(
  ctx: Context,
  args: string[],
  commands: CommandTable,
): Promise<number> {
  const failure: RunFailure = {};
  const messages: string[] = [];
  const process: StricliProcess = {
    // Only help text reaches here; its first usage line reads "Usage: queuectl …" as before.
    stdout: { write: (s) => ctx.out(s.replace(/^USAGE\n +/, "Usage: ").replace(/\n$/, "")) },
    // The parser's own messages: the first one is the one line we print.
    stderr: { write: (s) => void messages.push(s) },
    env: {},
  };
  await run(await buildProgram(ctx, failure, args, commands), args, { process });
  if (failure.thrown) throw failure.error;
  if (!process.exitCode) return 0;
  const first = messages.map((m) => m.replace(/\s*\n\s*(?=\S)/g, " ").trim()).find((m) => m);
  ctx.err(first ?? "queuectl: invalid arguments");
  return 2;
}
