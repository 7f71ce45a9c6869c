/**
 * The command tree. Each command lives in its own file; this module wires them together and
 * turns every error into an exit code in one place.
 *
 * @module
 */
import { Command, CommanderError } from "commander";
import { type Context, processContext } from "./context.ts";
import { exitFor } from "./exit.ts";
import { enqueueCommand } from "./enqueue.ts";
import { workerCommand } from "./worker.ts";
import { statusCommand } from "./status.ts";
import { listCommand } from "./list.ts";
import { showCommand } from "./show.ts";
import { logsCommand } from "./logs.ts";
import { dlqCommand } from "./dlq.ts";
import { configCommand } from "./config.ts";
import { cancelCommand, deleteCommand, purgeCommand } from "./manage.ts";
import { demoCommand } from "./demo.ts";
import { doctorCommand } from "./doctor.ts";
import { webCommand } from "./web.ts";
import { metricsCommand } from "./metrics.ts";

/** The program's version, printed by `--version`. */
export const VERSION = "0.1.0";

/**
 * Builds the full command tree on a context.
 *
 * @example
 * ```ts
 * const program = buildProgram(ctx);
 * await program.parseAsync(["status"], { from: "user" });
 * ```
 */
export function buildProgram(ctx: Context): Command {
  const program = new Command("queuectl")
    .description("a background job queue for shell commands, on Deno KV")
    .version(VERSION, "-V, --version")
    .option("--db <path|url>", "database file or KV Connect URL (env QUEUECTL_DB)")
    .showSuggestionAfterError(true)
    .enablePositionalOptions(false);
  for (
    const make of [
      enqueueCommand,
      workerCommand,
      statusCommand,
      listCommand,
      showCommand,
      logsCommand,
      dlqCommand,
      configCommand,
      cancelCommand,
      deleteCommand,
      purgeCommand,
      metricsCommand,
      doctorCommand,
      webCommand,
      demoCommand,
    ]
  ) program.addCommand(make(ctx));
  const strict = (cmd: Command) => {
    cmd.exitOverride().configureOutput({
      writeOut: (s) => ctx.out(s.replace(/\n$/, "")),
      writeErr: (s) => ctx.err(s.replace(/\n$/, "")),
      // One line: commander puts its "(Did you mean …?)" hint on a line of its own.
      outputError: (s, write) =>
        write(s.replace(/^error: /, "queuectl: ").replace(/\s*\n\s*(?=\S)/g, " ")),
    });
    cmd.commands.forEach(strict);
  };
  strict(program);
  return program;
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
  let program: Command | undefined;
  const ctx = context ?? processContext(() => program?.opts().db as string | undefined);
  try {
    program = buildProgram(ctx);
    if (args.length === 0) {
      program.outputHelp();
      return 2;
    }
    await program.parseAsync(args, { from: "user" });
    return 0;
  } catch (err) {
    const { code, message } = exitFor(err);
    if (message) ctx.err(message);
    if (!(err instanceof CommanderError) && code === 1 && Deno.env.get("QUEUECTL_DEBUG")) {
      console.error(err);
    }
    return code;
  } finally {
    ctx.close();
  }
}
