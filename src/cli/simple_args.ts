/**
 * A strict scanner for the plainest command lines, such as `enqueue --command "echo hi"`, so
 * that they run without loading the parser: loading `@stricli/core`, building the command and
 * compiling the parser's code on its first use cost about 11 ms of wall time (15 ms of CPU) of
 * an 88 ms `enqueue` process, and the enqueue figure B1 is one whole CLI process.
 *
 * It reads the command's own parameter spec (the data the parser gets), and it only answers
 * when the answer cannot differ from the parser's: known long options and aliases given once,
 * each value a separate word that does not start with "-", and no more arguments than the
 * command takes. Anything else (`--opt=value`, `--camelCase`, `--help`, `--`, a repeated or
 * unknown option, a value that looks like an option, an empty word) returns null, and the
 * parser handles the line, with its own messages. `simple_args_test.ts` checks the scanner
 * against the parser.
 *
 * @module
 */

/** One option of a command, as the parser's spec describes it (see `params.ts`). */
export interface SimpleFlagSpec {
  /** "parsed" takes a value, "boolean" is a switch. */
  readonly kind: string;
  /** How the parser turns the text into a value; the scanner handles `String` only. */
  readonly parse?: unknown;
  /** True when the option may be left out. */
  readonly optional?: boolean;
  /** True when the option may repeat. */
  readonly variadic?: boolean;
  /** Whether a switch also has a `--no-` form. */
  readonly withNegated?: boolean;
}

/** One positional argument, as the parser's spec describes it. */
export interface SimplePositionalSpec {
  /** How the parser turns the text into a value; the scanner handles `String` only. */
  readonly parse?: unknown;
  /** True when the argument may be left out. */
  readonly optional?: boolean;
}

/** The parameters of a command: the same object the parser's `buildCommand` receives. */
export interface SimpleParameters {
  /** Options by their camelCase name; the command line spells them in kebab-case. */
  readonly flags: Readonly<Record<string, SimpleFlagSpec>>;
  /** One-letter aliases: `c` for `-c`, and the option each names. */
  readonly aliases?: Readonly<Record<string, string>>;
  /** The positional arguments; only a tuple is handled. */
  readonly positional?: {
    readonly kind: string;
    readonly parameters?: readonly SimplePositionalSpec[];
  };
}

/** What a simple command line holds: the options given, and the positional arguments. */
export interface Scanned {
  /**
   * Each option given, by its camelCase name: the text of its value, true for a switch, or
   * every value in order for a repeatable option.
   */
  flags: Record<string, string | true | string[]>;
  /** The positional arguments, in order. */
  positionals: string[];
}

/**
 * Scans `args` (the words after the command name) against `parameters`, or returns null when
 * the line is not one the scanner can read exactly as the parser would.
 *
 * @example
 * ```ts
 * import { ENQUEUE_PARAMETERS } from "./enqueue_run.ts";
 * scanSimple(["--command", "true"], ENQUEUE_PARAMETERS);
 * // { flags: { command: "true" }, positionals: [] }
 * scanSimple(["--command=true"], ENQUEUE_PARAMETERS); // null: the parser decides
 * ```
 */
export function scanSimple(
  args: readonly string[],
  parameters: SimpleParameters,
): Scanned | null {
  const names = new Map<string, string>();
  for (const [key, spec] of Object.entries(parameters.flags)) {
    // A required option, a default or a custom value parser is the parser's business: their
    // absence or their value is not plain text. A repeatable option gives its values in order.
    if (!isSimpleFlag(spec)) return null;
    names.set(`--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`, key);
  }
  for (const [alias, key] of Object.entries(parameters.aliases ?? {})) {
    if (!Object.hasOwn(parameters.flags, key)) return null;
    names.set(`-${alias}`, key);
  }
  const positional = parameters.positional;
  if (positional && positional.kind !== "tuple") return null;
  const slots = positional?.parameters ?? [];
  if (slots.some((p) => p.parse !== String || "default" in p)) return null;
  const required = slots.filter((p) => !p.optional).length;

  const flags: Record<string, string | true | string[]> = {};
  const positionals: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const word = args[i]!;
    if (word === "") return null;
    if (!word.startsWith("-")) {
      if (positionals.length === slots.length) return null;
      positionals.push(word);
      continue;
    }
    const key = names.get(word);
    const spec = key === undefined ? undefined : parameters.flags[key]!;
    if (key === undefined || (Object.hasOwn(flags, key) && !spec!.variadic)) return null;
    if (spec!.kind === "boolean") {
      flags[key] = true;
      continue;
    }
    const value = args[++i];
    if (value === undefined || value === "" || value.startsWith("-")) return null;
    if (spec!.variadic) flags[key] = [...(flags[key] as string[] | undefined ?? []), value];
    else flags[key] = value;
  }
  return positionals.length < required ? null : { flags, positionals };
}

function isSimpleFlag(spec: SimpleFlagSpec): boolean {
  if (spec.optional !== true || "default" in spec) return false;
  if (spec.kind === "parsed") return spec.parse === String;
  return spec.kind === "boolean" && spec.withNegated === false;
}
