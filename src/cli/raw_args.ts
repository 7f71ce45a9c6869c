/**
 * Command-line arguments that are not UTF-8. `Deno.args` decodes argv lossily: each byte that
 * is not UTF-8 becomes U+FFFD, so `enqueue --command $'echo \xff'` would store `echo �`, a
 * different command. The rule:
 *
 * - An argument without U+FFFD was UTF-8: nothing to check (and nothing read).
 * - An argument with U+FFFD is checked against the bytes the process was given, from
 *   `/proc/self/cmdline` (Linux): not UTF-8 there is refused, naming the byte's offset; UTF-8
 *   there is a U+FFFD the user really typed, and is kept.
 * - Where those bytes cannot be read or do not match the arguments (not Linux, or an embedder),
 *   an argument with U+FFFD is refused: queuectl cannot tell, and must not change a command.
 *
 * A wrapper that decodes arguments itself before queuectl starts (such as `deno task`) passes
 * U+FFFD as valid UTF-8, which no rule here can tell from a typed one.
 *
 * @module
 */
import { UsageError } from "../errors.ts";
import { describeInvalid, invalidUtf8Offset } from "../utf8.ts";

const REPLACEMENT = "\ufffd";

/**
 * Throws a one-line UsageError for the first argument that was not valid UTF-8 as given.
 * `raw` returns the process's arguments as bytes (the last `args.length` of them), or null;
 * by default they come from `/proc/self/cmdline`, read only when some argument has U+FFFD.
 *
 * @example
 * ```ts
 * assertArgsUtf8(Deno.args); // throws: the value of --command is not valid UTF-8: byte 0xff at offset 5
 * ```
 */
export function assertArgsUtf8(
  args: readonly string[],
  raw: () => readonly Uint8Array[] | null = () => rawArgs(args.length),
): void {
  if (!args.some((a) => a.includes(REPLACEMENT))) return;
  const bytes = matching(args, raw());
  for (const [i, arg] of args.entries()) {
    if (!arg.includes(REPLACEMENT)) continue;
    const name = i > 0 && args[i - 1]!.startsWith("-")
      ? `the value of ${args[i - 1]}`
      : `argument ${i + 1}`;
    if (bytes === null) {
      throw new UsageError(
        `${name} has U+FFFD, which may stand for bytes that are not UTF-8, and the arguments ` +
          `as given cannot be read here to tell; use --file or the web API for such a command`,
      );
    }
    const offset = invalidUtf8Offset(bytes[i]!);
    if (offset >= 0) {
      throw new UsageError(`${name} is not valid UTF-8: ${describeInvalid(bytes[i]!, offset)}`);
    }
  }
}

/**
 * The last `count` arguments of this process as bytes, from `/proc/self/cmdline`, or null where
 * it cannot be read.
 *
 * @example
 * ```ts
 * rawArgs(Deno.args.length)?.length === Deno.args.length; // true on Linux
 * ```
 */
export function rawArgs(count: number): Uint8Array[] | null {
  let cmdline: Uint8Array;
  try {
    cmdline = Deno.readFileSync("/proc/self/cmdline");
  } catch {
    return null;
  }
  const words: Uint8Array[] = [];
  let start = 0;
  for (let i = cmdline.indexOf(0); i !== -1; i = cmdline.indexOf(0, start)) {
    words.push(cmdline.subarray(start, i));
    start = i + 1;
  }
  return words.length < count ? null : words.slice(words.length - count);
}

/** `raw` if each entry decodes (lossily, as Deno does) to its argument, else null. */
function matching(args: readonly string[], raw: readonly Uint8Array[] | null) {
  if (raw === null || raw.length !== args.length) return null;
  const lossy = new TextDecoder("utf-8", { ignoreBOM: true });
  return raw.every((bytes, i) => lossy.decode(bytes) === args[i]) ? raw : null;
}
