/**
 * Runs the CLI under watch, for the tests of endless input: its peak memory is sampled from
 * `/proc/<pid>/status` (VmHWM, the high-water mark), and it is killed as soon as it passes a
 * memory ceiling or a deadline, so a regression fails the test without eating the machine.
 *
 * @module
 */
import { cliArgv, type CliResult, type TempDb } from "./helpers.ts";

/** How a watched run ended. */
export interface BoundedResult extends CliResult {
  /** The highest VmHWM seen, in MiB (0 where /proc is missing). */
  peakMiB: number;
  /** Wall time, ms. */
  ms: number;
  /** Why it was killed, or null when it exited by itself. */
  killed: "memory" | "deadline" | null;
}

/** Options of {@linkcode boundedCli}. */
export interface BoundedOptions {
  /** Fed to standard input until the CLI stops reading (endless unless it returns). */
  stdin?: () => AsyncIterable<Uint8Array>;
  /** Kill above this peak, MiB. */
  maxMiB: number;
  /** Kill after this long, ms. */
  deadlineMs: number;
}

/**
 * Runs `queuectl args` against `db`, watching its memory and time.
 *
 * @example
 * ```ts
 * import { tempDb } from "./helpers.ts";
 * await using db = await tempDb();
 * const r = await boundedCli(db, ["enqueue", "--file", "/dev/zero"], {
 *   maxMiB: 300,
 *   deadlineMs: 20_000,
 * });
 * ```
 */
export async function boundedCli(
  db: TempDb,
  args: string[],
  options: BoundedOptions,
): Promise<BoundedResult> {
  const started = performance.now();
  const child = new Deno.Command(Deno.execPath(), {
    args: [...cliArgv(), ...args],
    env: db.env,
    stdin: options.stdin ? "piped" : "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  let peakKiB = 0;
  let killed: BoundedResult["killed"] = null;
  const kill = (why: NonNullable<BoundedResult["killed"]>) => {
    killed ??= why;
    try {
      child.kill("SIGKILL");
    } catch {
      // It exited meanwhile.
    }
  };
  const sample = () => {
    const kib = vmHwmKiB(child.pid);
    if (kib > peakKiB) peakKiB = kib;
    if (peakKiB > options.maxMiB * 1024) kill("memory");
  };
  const sampler = setInterval(sample, 10);
  const deadline = setTimeout(() => kill("deadline"), options.deadlineMs);
  const feeding = options.stdin ? feed(child.stdin, options.stdin()) : Promise.resolve();
  try {
    const [out] = await Promise.all([child.output(), feeding]);
    const dec = new TextDecoder();
    return {
      code: out.code,
      stdout: dec.decode(out.stdout),
      stderr: dec.decode(out.stderr),
      peakMiB: Math.round(peakKiB / 1024),
      ms: performance.now() - started,
      killed,
    };
  } finally {
    clearInterval(sampler);
    clearTimeout(deadline);
  }
}

/** Writes `chunks` to the child's standard input until they end or the child stops reading. */
async function feed(stdin: WritableStream<Uint8Array>, chunks: AsyncIterable<Uint8Array>) {
  const writer = stdin.getWriter();
  try {
    for await (const chunk of chunks) await writer.write(chunk);
    await writer.close();
  } catch {
    // The CLI exited and closed the pipe: the endless input was refused, as it should be.
  }
}

/** The process's memory high-water mark in KiB, or 0 once it is gone. */
function vmHwmKiB(pid: number): number {
  try {
    const status = Deno.readTextFileSync(`/proc/${pid}/status`);
    return Number(/^VmHWM:\s+(\d+) kB/m.exec(status)?.[1] ?? 0);
  } catch {
    return 0;
  }
}
