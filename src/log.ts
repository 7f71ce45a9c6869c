/**
 * Structured log lines for workers and the supervisor: one line per event, `key=value` pairs
 * after the time and level, filtered by the `log_level` config key.
 *
 * @module
 */
import { writeLine } from "./write_line.ts";

/** Log levels, least severe first. */
export type LogLevel = "debug" | "info" | "warn" | "error";

const RANK: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3 };

/** Fields of one event; values are printed quoted when they contain spaces. */
export type LogFields = Record<string, string | number | boolean | null | undefined>;

/**
 * Formats one log line (pure).
 *
 * @example
 * ```ts
 * formatLogLine(0, "info", "job.done", { job: "a1", exit: 0 });
 * // '1970-01-01T00:00:00.000Z info job.done job=a1 exit=0'
 * ```
 */
export function formatLogLine(
  now: number,
  level: LogLevel,
  event: string,
  fields: LogFields = {},
): string {
  let line = `${new Date(now).toISOString()} ${level} ${event}`;
  for (const [k, v] of Object.entries(fields)) {
    if (v === undefined) continue;
    const s = String(v);
    line += ` ${k}=${/[\s"=]/.test(s) || s === "" ? JSON.stringify(s) : s}`;
  }
  return line;
}

/**
 * A logger writing to stderr whose level can change while it runs (config reload).
 *
 * @example
 * ```ts
 * const log = new Logger({ level: "info", fields: { worker: "w1" } });
 * log.info("worker.started", { pid: Deno.pid });
 * ```
 */
export class Logger {
  /** Current threshold. */
  level: LogLevel;
  readonly #fields: LogFields;
  readonly #write: (line: string) => void;

  /** @param options level, fields added to every line, and an optional line sink */
  constructor(
    options: { level?: LogLevel; fields?: LogFields; write?: (line: string) => void } = {},
  ) {
    this.level = options.level ?? "info";
    this.#fields = options.fields ?? {};
    this.#write = options.write ?? writeStderr;
  }

  /** Logs at debug. */
  debug(event: string, fields?: LogFields): void {
    this.#log("debug", event, fields);
  }
  /** Logs at info. */
  info(event: string, fields?: LogFields): void {
    this.#log("info", event, fields);
  }
  /** Logs at warn. */
  warn(event: string, fields?: LogFields): void {
    this.#log("warn", event, fields);
  }
  /** Logs at error. */
  error(event: string, fields?: LogFields): void {
    this.#log("error", event, fields);
  }

  #log(level: LogLevel, event: string, fields: LogFields = {}): void {
    if (RANK[level] < RANK[this.level]) return;
    this.#write(formatLogLine(Date.now(), level, event, { ...this.#fields, ...fields }));
  }
}

/** One whole line to stderr (`write_line.ts`): `console.error` would format it first. */
function writeStderr(line: string): void {
  writeLine(line);
}
