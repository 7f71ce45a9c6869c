/**
 * The one place errors become exit codes: 0 ok, 1 operation failed, 2 bad usage or input.
 *
 * @module
 */
import {
  AliasNotFoundError,
  type ApplicationText,
  ArgumentParseError,
  FlagNotFoundError,
  InvalidNegatedFlagSyntaxError,
  text_en,
  UnexpectedFlagError,
  UnexpectedPositionalError,
  UnsatisfiedFlagError,
  UnsatisfiedPositionalError,
} from "@stricli/core";
import { OperationError, UsageError } from "../errors.ts";

/** Exit codes of the CLI contract. */
export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

/**
 * Thrown when standard output was closed by its reader (`queuectl list | head -1`): the command
 * stops and exits 0 without a message, like other well-behaved filters.
 *
 * @example
 * ```ts
 * exitFor(new OutputClosed()); // { code: 0, message: null }
 * ```
 */
export class OutputClosed extends Error {
  constructor() {
    super("standard output was closed");
    this.name = "OutputClosed";
  }
}

/**
 * The exit code and the one line to print for an error thrown by a command (pure).
 *
 * @example
 * ```ts
 * exitFor(new UsageError("bad priority")); // { code: 2, message: "queuectl: bad priority" }
 * ```
 */
export function exitFor(err: unknown): { code: number; message: string | null } {
  if (err instanceof OutputClosed) return { code: EXIT.ok, message: null };
  if (err instanceof UsageError || err instanceof RangeError) {
    return { code: EXIT.usage, message: `queuectl: ${oneLine(err.message)}` };
  }
  if (err instanceof OperationError) {
    return { code: EXIT.failed, message: `queuectl: ${oneLine(err.message)}` };
  }
  if (err instanceof Deno.errors.PermissionDenied || err instanceof Deno.errors.NotFound) {
    return { code: EXIT.failed, message: `queuectl: ${oneLine(err.message)}` };
  }
  const msg = err instanceof Error ? err.message : String(err);
  return { code: EXIT.failed, message: `queuectl: unexpected error: ${oneLine(msg)}` };
}

function oneLine(text: string): string {
  return text.split("\n")[0]!.trim();
}

/** What a command threw, kept for {@link exitFor} rather than printed by the parser. */
export interface RunFailure {
  /** True once a command threw. */
  thrown?: boolean;
  /** The thrown value. */
  error?: unknown;
}

/**
 * The parser's texts: its usage errors as one `queuectl: ` line in the old wording, and a
 * command's exception recorded in `failure` (printed nowhere here). `args` tell a missing
 * value from a missing option.
 *
 * @example
 * ```ts
 * localization: { loadText: () => parserText(failure, args) }
 * ```
 */
export function parserText(failure: RunFailure, args: readonly string[]): ApplicationText {
  return {
    ...text_en,
    noCommandRegisteredForInput: ({ input, corrections }) =>
      `queuectl: unknown command '${input}'${didYouMean(corrections)}`,
    exceptionWhileParsingArguments: (exc) => `queuectl: ${usageMessage(exc, args)}`,
    exceptionWhileRunningCommand: (exc) => {
      failure.thrown = true;
      failure.error = exc;
      return "";
    },
  };
}

function didYouMean(corrections: readonly string[], prefix = ""): string {
  const first = corrections[0]?.replace(/`/g, "");
  return first === undefined ? "" : ` (Did you mean ${prefix}${first}?)`;
}

function usageMessage(exc: unknown, args: readonly string[]): string {
  if (exc instanceof FlagNotFoundError) {
    return `unknown option '--${exc.input}'${didYouMean(exc.corrections, "--")}`;
  }
  if (exc instanceof AliasNotFoundError) return `unknown option '-${exc.input}'`;
  if (exc instanceof UnsatisfiedFlagError) {
    const last = args.at(-1) ?? "";
    if (exc.nextFlagName) {
      return `option '--${exc.externalFlagName}' argument missing (got --${exc.nextFlagName})`;
    }
    return last.startsWith("-") && last !== "--help"
      ? `option '--${exc.externalFlagName}' argument missing`
      : `required option '--${exc.externalFlagName}' not specified`;
  }
  if (exc instanceof UnsatisfiedPositionalError) {
    return `missing required argument '${exc.placeholder}'`;
  }
  if (exc instanceof UnexpectedPositionalError) {
    return `too many arguments: expected ${exc.expectedCount}, got ${JSON.stringify(exc.input)}`;
  }
  if (exc instanceof UnexpectedFlagError) {
    return `option '--${exc.externalFlagName}' given twice: ${JSON.stringify(exc.previousInput)} ` +
      `and ${JSON.stringify(exc.input)}`;
  }
  if (exc instanceof ArgumentParseError) {
    return `invalid value ${JSON.stringify(exc.input)} for ${exc.externalFlagNameOrPlaceholder}`;
  }
  if (exc instanceof InvalidNegatedFlagSyntaxError) {
    return `option '--no-${exc.externalFlagName}' takes no value`;
  }
  return oneLine(exc instanceof Error ? exc.message : String(exc));
}
