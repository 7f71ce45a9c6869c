/**
 * `queuectl enqueue` for the parser: its parameters and handler live in `enqueue_run.ts`.
 *
 * @module
 */
import { buildCommand, type Command, type CommandContext } from "@stricli/core";
import type { Context } from "./context.ts";
import { ENQUEUE_PARAMETERS, type EnqueueFlags, runEnqueue } from "./enqueue_run.ts";

/** Builds the `enqueue` command. */
export function enqueueCommand(ctx: Context): Command<CommandContext> {
  return buildCommand({
    docs: { brief: "add a job: a shell command, a JSON spec, or a file of specs or commands" },
    parameters: ENQUEUE_PARAMETERS,
    func: (flags: EnqueueFlags, json: string | undefined) => runEnqueue(ctx, flags, json),
  });
}
