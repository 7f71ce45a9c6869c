/**
 * `queuectl completions bash|zsh|fish`: prints a completion script made from the command tree
 * itself (`completion_script.ts`).
 *
 * @module
 */
import { buildCommand, type Command, type CommandContext, type RouteMap } from "@stricli/core";
import { UsageError } from "../errors.ts";
import type { Context } from "./context.ts";
import { bashScript, commandTree, fishScript, zshScript } from "./completion_script.ts";
import { buildProgram, type CommandTable } from "./parser.ts";
import { positional } from "./params.ts";

const SHELLS = { bash: bashScript, zsh: zshScript, fish: fishScript } as const;

/**
 * Builds the `completions` command; `commands` is the whole table, to build every route of.
 *
 * @example
 * ```ts
 * import type { Context } from "./context.ts";
 * import type { CommandTable } from "./parser.ts";
 * declare const ctx: Context;
 * declare const commands: CommandTable;
 * completionsCommand(ctx, commands);
 * ```
 */
export function completionsCommand(ctx: Context, commands: CommandTable): Command<CommandContext> {
  return buildCommand({
    docs: { brief: "print a shell completion script: bash, zsh or fish" },
    parameters: {
      positional: { kind: "tuple", parameters: [positional("shell", "bash, zsh or fish")] },
    },
    func: async (_flags: Record<never, never>, shell: string) => {
      if (!Object.hasOwn(SHELLS, shell)) {
        throw new UsageError(`unknown shell "${shell}" (known: ${Object.keys(SHELLS).join(", ")})`);
      }
      // No command is named, so every one is built: the tree the parser itself would use.
      const app = await buildProgram(ctx, {}, [], commands);
      const tree = commandTree(app.root as RouteMap<CommandContext>, "");
      ctx.out(SHELLS[shell as keyof typeof SHELLS](tree, "queuectl").replace(/\n$/, ""));
    },
  });
}
