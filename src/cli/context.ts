/**
 * What every command handler receives: output sinks, the clock, and the database on demand.
 *
 * @module
 */
import { type OpenOptions, openStore, resolveLocation, type Store } from "../store/open.ts";
import { OutputClosed } from "./exit.ts";
import { writeLine } from "../write_line.ts";

/** The injected world of a command: tests capture output, `main.ts` uses the real one. */
export interface Context {
  /** Writes a line (or raw bytes) to standard output. */
  out(text: string | Uint8Array): void;
  /** Writes a line to standard error. */
  err(text: string): void;
  /** True when standard output is a terminal. */
  isTty: boolean;
  /** The database location from `--db`, `QUEUECTL_DB` or the default. */
  location(): string;
  /**
   * Opens the database (once) and returns it. By default a missing database is created; a
   * command that only reads, or changes what exists, passes `{ create: false }` (see
   * {@linkcode OpenOptions.create}).
   */
  store(options?: Pick<OpenOptions, "create">): Promise<Store>;
  /** Closes what was opened. */
  close(): void;
}

/**
 * The real context: stdout/stderr of this process and the store named by `--db`.
 *
 * @example
 * ```ts
 * let db: string | undefined; // set when the parser reads `--db`
 * const ctx = processContext(() => db);
 * ```
 */
export function processContext(dbFlag: () => string | undefined): Context {
  let store: Promise<Store> | null = null;
  const enc = new TextEncoder();
  const location = () => resolveLocation(dbFlag());
  return {
    out(text) {
      try {
        writeAll(Deno.stdout, typeof text === "string" ? enc.encode(text + "\n") : text);
      } catch (err) {
        // The reader went away (`queuectl list | head`): stop quietly, not with an error.
        if (err instanceof Deno.errors.BrokenPipe) throw new OutputClosed();
        throw err;
      }
    },
    err(text) {
      writeLine(text);
    },
    isTty: Deno.stdout.isTerminal(),
    location,
    store(options = {}) {
      store ??= openStore(location(), options);
      return store;
    },
    close() {
      store?.then((s) => s.close()).catch(() => {});
    },
  };
}

function writeAll(file: { writeSync(p: Uint8Array): number }, data: Uint8Array): void {
  let off = 0;
  while (off < data.byteLength) off += file.writeSync(data.subarray(off));
}
