/**
 * Writing whole lines to standard error, which the supervisor and its workers share: a terminal,
 * a pipe, or (with `--detach`) one log file opened with O_APPEND.
 *
 * Each line goes out in one `write` call, so lines of different processes never interleave
 * within a line. A file on a full disk takes only part of a line: the kernel writes what fits
 * and fails the rest. Writing the rest later (after other processes' lines) or leaving the part
 * glued the next line to it (`worker.crashed superviso2026-…`). So a part written to a file is
 * cut off again, and the line is lost whole rather than kept broken. Where it cannot be cut off
 * (another line followed it), the next line starts with a newline, so that one stays whole.
 *
 * @module
 */

/** Where lines go: standard error, or a stand-in in tests. */
export interface LineSink {
  /** Writes some of `data` in one call; returns how many bytes were written. */
  writeSync(data: Uint8Array): number;
}

/** How a sink that took part of a line can take it back. */
export interface LineOptions {
  /**
   * Removes the `part` just written, if it still ends the output; returns whether it did.
   * Default: for standard error that is a regular file (Linux `/proc/self/fd/2`), truncates it.
   */
  takeBack?: (part: Uint8Array) => boolean;
  /** True when the sink is a regular file (where a short write means no space). */
  isFile?: boolean;
}

const encoder = new TextEncoder();
/** A line of ours was cut and is still in the output: the next one must start afresh. */
let midLine = false;

/**
 * Writes `line` and a newline to `sink` (standard error by default) as one write. Never throws:
 * when the output is gone or full, there is nowhere left to report it.
 *
 * @example
 * ```ts
 * writeLine("2026-01-01T00:00:00.000Z info worker.started pid=42");
 * ```
 */
export function writeLine(line: string, sink: LineSink = Deno.stderr, options?: LineOptions): void {
  const data = encoder.encode(`${midLine ? "\n" : ""}${line}\n`);
  let written: number;
  try {
    written = sink.writeSync(data);
  } catch {
    return; // Nothing was written.
  }
  midLine = false;
  if (written >= data.byteLength) return;
  const isFile = options?.isFile ?? (sink === Deno.stderr && stderrIsFile());
  if (!isFile) {
    // A pipe or terminal splits only a long line; the rest still fits, so write it.
    writeRest(sink, data.subarray(written));
    return;
  }
  const takeBack = options?.takeBack ?? takeBackFromStderr;
  if (!takeBack(data.subarray(0, written))) midLine = true;
}

function writeRest(sink: LineSink, rest: Uint8Array): void {
  try {
    while (rest.byteLength > 0) rest = rest.subarray(sink.writeSync(rest));
  } catch {
    midLine = true;
  }
}

function stderrIsFile(): boolean {
  try {
    return Deno.statSync("/proc/self/fd/2").isFile;
  } catch {
    return false;
  }
}

/** O_APPEND, in the octal `flags` of `/proc/self/fdinfo/2`. */
const O_APPEND = 0o2000;

/**
 * Truncates standard error's file by `part.length` bytes if it ends with `part`: the cut line is
 * then gone whole. Truncating frees space, so it works on a full disk. Another process's line
 * written after `part` makes the bytes differ, and nothing is removed. Only for a file opened to
 * append (`>>`, as `--detach` does): otherwise the next write would go to the old offset, past
 * the new end, and leave a gap of zero bytes.
 */
function takeBackFromStderr(part: Uint8Array): boolean {
  try {
    const flags = /^flags:\s*([0-7]+)$/m.exec(Deno.readTextFileSync("/proc/self/fdinfo/2"))?.[1];
    if (flags === undefined || (parseInt(flags, 8) & O_APPEND) === 0) return false;
    using file = Deno.openSync("/proc/self/fd/2", { read: true, write: true });
    const size = file.statSync().size;
    if (size < part.byteLength) return false;
    const tail = new Uint8Array(part.byteLength);
    file.seekSync(size - part.byteLength, Deno.SeekMode.Start);
    for (let off = 0; off < tail.byteLength;) {
      const n = file.readSync(tail.subarray(off));
      if (n === null) return false;
      off += n;
    }
    if (!tail.every((b, i) => b === part[i])) return false;
    file.truncateSync(size - part.byteLength);
    return true;
  } catch {
    return false;
  }
}
