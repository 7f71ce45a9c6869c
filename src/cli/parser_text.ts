/**
 * The parser's texts: its usage errors in the CLI's one-line wording, and what a command threw
 * kept for `exitFor`. Apart from `exit.ts` so that a run that needs no parser (see
 * `simple_args.ts`) does not load it.
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
import { oneLine } from "./exit.ts";

/** What a command threw, kept for `exitFor` (`exit.ts`) rather than printed by the parser. */
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
 * const failure: RunFailure = {};
 * const args = ["list", "--stat", "dead"];
 * const localization = { loadText: () => parserText(failure, args) }; // stricli's option
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
