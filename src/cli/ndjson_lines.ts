/**
 * The lines of a byte stream, as they arrive, in memory bounded by one chunk and one line
 * whatever the input: `enqueue --file /dev/zero` used to read until memory ran out. A line
 * longer than the limit, or bytes that are not UTF-8, stop the reading at once with one line
 * naming where, and only after every line before it was handed over, so the first bad line
 * of the input is the one reported.
 *
 * @module
 */
import { concatBytes } from "../bytes.ts";
import { UsageError } from "../errors.ts";
import { invalidUtf8Offset } from "../utf8.ts";

const NEWLINE = 0x0a;

/** Consecutive lines of the input, without their `\n`. */
export interface LineGroup {
  /** The number (from 1) of `lines[0]`. */
  first: number;
  /** The lines, in order. */
  lines: string[];
}

/** Options of {@linkcode readLines}. */
export interface ReadLinesOptions {
  /** The longest line accepted, in bytes without its `\n`. */
  maxLineBytes: number;
  /** The most bytes read in all; more is refused. Default: no limit. */
  maxBytes?: number;
}

/**
 * Reads `source` as UTF-8 lines (a leading byte order mark is dropped), handing them over in
 * groups, one per chunk read. Throws a one-line UsageError, after the lines before it, for a
 * line longer than `maxLineBytes` (as soon as the line passes it), for bytes that are not
 * UTF-8 (naming the input offset of the first), or for input longer than `maxBytes`.
 *
 * @example
 * ```ts
 * using file = await Deno.open("jobs.ndjson");
 * for await (const { first, lines } of readLines(file.readable, { maxLineBytes: 1024 })) {
 *   lines.forEach((text, i) => console.log(first + i, text));
 * }
 * ```
 */
export async function* readLines(
  source: AsyncIterable<Uint8Array>,
  options: ReadLinesOptions,
): AsyncGenerator<LineGroup> {
  const { maxLineBytes, maxBytes = Infinity } = options;
  const decoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
  const decode = (bytes: Uint8Array) => decoder.decode(bytes);
  /** The unfinished line: its bytes so far, its number, and where in the input it starts. */
  let parts: Uint8Array[] = [];
  let partBytes = 0;
  let line = 1;
  let lineStart = 0;
  let read = 0;
  let bom = true;
  const dropBom = (text: string) => {
    if (bom && text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    bom = false;
    return text;
  };
  for await (const chunk of source) {
    read += chunk.length;
    // Whole lines in this chunk: each one's length is known before any is decoded.
    let end = -1; // the last newline of the good whole lines
    let tooLong = false;
    let lines = 0;
    for (let nl = chunk.indexOf(NEWLINE); nl !== -1; nl = chunk.indexOf(NEWLINE, nl + 1)) {
      const length = nl - (end + 1) + (end === -1 ? partBytes : 0);
      if (length > maxLineBytes) {
        tooLong = true;
        break;
      }
      end = nl;
      lines++;
    }
    if (end !== -1) {
      const region = concatBytes([...parts, chunk.subarray(0, end)]);
      const { text, error } = decodeLines(region, { decode, line, offset: lineStart });
      if (text !== "" || error === null) yield { first: line, lines: dropBom(text).split("\n") };
      if (error) throw error;
      line += lines;
      lineStart += region.length + 1;
      parts = [];
      partBytes = 0;
    }
    if (tooLong) throw lineTooLong(line, maxLineBytes);
    const rest = chunk.subarray(end + 1);
    if (partBytes + rest.length > maxLineBytes) throw lineTooLong(line, maxLineBytes);
    if (rest.length > 0) parts.push(rest);
    partBytes += rest.length;
    if (read > maxBytes) {
      throw new UsageError(
        `line ${line}: the input is longer than ${maxBytes} bytes, the limit of one run; split it`,
      );
    }
  }
  if (partBytes > 0) {
    const { text, error } = decodeLines(concatBytes(parts), { decode, line, offset: lineStart });
    if (text !== "") yield { first: line, lines: dropBom(text).split("\n") };
    if (error) throw error;
  }
}

/**
 * Decodes whole lines. When some byte is not UTF-8, the text is that of the lines before its
 * line (for the caller to check first: an earlier bad line is the one to report), and the
 * error names its line and its offset in the input.
 */
function decodeLines(
  region: Uint8Array,
  at: { decode: (bytes: Uint8Array) => string; line: number; offset: number },
): { text: string; error: UsageError | null } {
  try {
    return { text: at.decode(region), error: null };
  } catch {
    const bad = invalidUtf8Offset(region);
    let line = at.line;
    let start = 0; // where the bad byte's line starts in the region
    for (let i = region.indexOf(NEWLINE); i !== -1 && i < bad; i = region.indexOf(NEWLINE, i + 1)) {
      line++;
      start = i + 1;
    }
    const hex = region[bad]!.toString(16).padStart(2, "0");
    return {
      // The lines before are valid UTF-8, ending before the bad line's newline.
      text: start === 0 ? "" : at.decode(region.subarray(0, start - 1)),
      error: new UsageError(
        `line ${line}: not valid UTF-8: byte 0x${hex} at offset ${at.offset + bad} of the input`,
      ),
    };
  }
}

function lineTooLong(line: number, max: number): UsageError {
  return new UsageError(`line ${line} is longer than ${max} bytes, the most a job spec may take`);
}
