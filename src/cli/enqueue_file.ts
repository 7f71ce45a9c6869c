/**
 * `enqueue --file`: NDJSON specs from a file or standard input, read as a stream and each line
 * checked before anything is written. Memory is bounded whatever the input (a chunk, one line,
 * the spool's budget, and the caller-chosen ids): the checked specs wait in the spool
 * (`spec_spool.ts`: in memory up to 32 MiB, then in a temp file), and `enqueueMany` reads them
 * back batch by batch.
 *
 * Bad input therefore writes nothing, however long the file, within two bounds that also stop
 * an endless valid stream: at most {@linkcode MAX_INPUT_BYTES} of input, and at most
 * {@linkcode MAX_CALLER_IDS} caller-chosen ids (they stay in memory, to refuse a repeated one).
 *
 * @module
 */
import { UsageError } from "../errors.ts";
import { MAX_SPEC_BYTES, parseJobSpec } from "../spec.ts";
import { showValue } from "../suggest.ts";
import { type EnqueueFlags, mergeFlags, parseJsonArg } from "./enqueue_spec.ts";
import { resolveCwd } from "./enqueue_call.ts";
import { readLines } from "./ndjson_lines.ts";
import { SpecSpool } from "./spec_spool.ts";

/**
 * The most input one `enqueue --file` reads: 1 GiB, some ten million short specs. It bounds
 * the spool on disk, and how long an endless stream of good lines runs before it is refused.
 *
 * @example
 * ```ts
 * MAX_INPUT_BYTES; // 1073741824
 * ```
 */
export const MAX_INPUT_BYTES = 1024 ** 3;

/**
 * The most caller-chosen ids in one `enqueue --file`: each is kept until the input ends, to
 * refuse a repeat and to check them all free before the first write (about 100 MiB at this
 * bound with 26-character ids).
 *
 * @example
 * ```ts
 * MAX_CALLER_IDS; // 1000000
 * ```
 */
export const MAX_CALLER_IDS = 1_000_000;

/** The input, checked: the specs in a spool, and their caller-chosen ids. */
export interface CheckedSpecs extends AsyncDisposable {
  /** The checked specs, in input order. */
  spool: SpecSpool;
  /** Every caller-chosen id among them. */
  callerIds: Set<string>;
  /** Every dependency id (`after`) that no earlier line stores: it must exist already. */
  afterIds: Set<string>;
  /** How many specs have a unique key (each is stored in its own checked operation). */
  unique: number;
}

/** Options of {@linkcode checkSpecFile}. */
export interface CheckSpecFileOptions {
  /** The options given with `--file`; the ones a spec takes apply to every line. */
  flags: EnqueueFlags;
  /** The clock reading that anchors `delay`. */
  now: number;
  /** Input bound in bytes. Default {@linkcode MAX_INPUT_BYTES}. */
  maxInputBytes?: number;
  /** Caller-chosen id bound. Default {@linkcode MAX_CALLER_IDS}. */
  maxCallerIds?: number;
}

/**
 * Reads and checks every spec of `path` (`-` for standard input) into a spool; with
 * `flags.lines`, every line is a shell command instead. Lines that are empty or start with `#`
 * are skipped (a shell would do nothing with the latter either). Throws a
 * one-line UsageError for the first bad line (`line 5: priority must be …`), a line longer
 * than a spec may be, bytes that are not UTF-8, a repeated id, an input beyond the bounds, or
 * an input without specs; nothing has been written then.
 *
 * @example
 * ```ts
 * await using checked = await checkSpecFile("jobs.ndjson", { flags: {}, now: Date.now() });
 * ```
 */
export async function checkSpecFile(
  path: string,
  options: CheckSpecFileOptions,
): Promise<CheckedSpecs> {
  const { flags, now } = options;
  const maxCallerIds = options.maxCallerIds ?? MAX_CALLER_IDS;
  // Most files come without flags to apply: no copy of each line's fields then.
  const plain = flags.priority === undefined && flags.delay === undefined &&
    flags.runAt === undefined && flags.timeout === undefined && flags.maxRetries === undefined &&
    flags.label === undefined && flags.cwd === undefined && flags.queue === undefined;
  const folders = new Set<string>();
  const input = await openInput(path);
  const spool = new SpecSpool();
  const callerIds = new Set<string>();
  let unique = 0;
  const afterIds = new Set<string>();
  try {
    const lines = readLines(input, {
      maxLineBytes: MAX_SPEC_BYTES,
      maxBytes: options.maxInputBytes ?? MAX_INPUT_BYTES,
    });
    for await (const { first, lines: texts } of lines) {
      for (const [i, raw] of texts.entries()) {
        const line = raw.trim();
        if (line === "" || line.startsWith("#")) continue;
        try {
          // `--lines`: the line is a shell command; else a JSON spec.
          const fields = flags.lines ? { command: line } : parseJsonArg(line);
          const merged = plain ? fields : mergeFlags(fields, flags);
          const spec = parseJobSpec(resolveCwd(merged, folders), { now });
          if (spec.unique_key !== undefined) unique++;
          if (spec.id !== undefined) {
            if (callerIds.has(spec.id)) {
              throw new UsageError(`duplicate job id ${showValue(spec.id)} in the input`);
            }
            if (callerIds.size === maxCallerIds) {
              throw new UsageError(
                `more than ${maxCallerIds} jobs with their own id in one input; split it`,
              );
            }
            callerIds.add(spec.id);
          }
          for (const id of spec.after ?? []) if (!callerIds.has(id)) afterIds.add(id);
          spool.add(spec);
        } catch (err) {
          if (err instanceof UsageError) throw new UsageError(`line ${first + i}: ${err.message}`);
          throw err;
        }
      }
      await spool.settle();
    }
    if (spool.count === 0) {
      const what = flags.lines ? "commands" : "job specs";
      throw new UsageError(`no ${what} in ${path === "-" ? "standard input" : path}`);
    }
    return {
      spool,
      callerIds,
      afterIds,
      unique,
      [Symbol.asyncDispose]: () => spool[Symbol.asyncDispose](),
    };
  } catch (err) {
    await spool[Symbol.asyncDispose]();
    throw err;
  }
}

/** The bytes of `path`, or of standard input for `-`; a failure to read is bad input. */
async function* openInput(path: string): AsyncGenerator<Uint8Array> {
  const cannot = (err: unknown) =>
    new UsageError(`cannot read ${path}: ${(err as Error).message.split("\n")[0]}`);
  let file: Deno.FsFile | null = null;
  try {
    file = path === "-" ? null : await Deno.open(path);
  } catch (err) {
    throw cannot(err);
  }
  const source = file?.readable ?? Deno.stdin.readable;
  const reader = source.getReader();
  try {
    for (;;) {
      let next: ReadableStreamReadResult<Uint8Array>;
      try {
        next = await reader.read();
      } catch (err) {
        throw cannot(err); // a folder opens, but reading it fails
      }
      if (next.done) return;
      yield next.value;
    }
  } finally {
    // Stops the reading when a line was refused before the end (an endless input).
    await reader.cancel().catch(() => {});
  }
}
