/**
 * Test fixtures shared by the end-to-end tests: a temp database per test, the real CLI as a
 * subprocess, real worker supervisors, and waiting on conditions instead of sleeping.
 *
 * @module
 */
import { join } from "node:path";
import { openStore, type Store } from "../src/store/mod.ts";
import { startKvConnectServer } from "./support/kv_connect_server.ts";

const MAIN = new URL("../main.ts", import.meta.url).pathname;
const CONFIG = new URL("../deno.json", import.meta.url).pathname;

/** The result of one CLI run. */
export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** A temp folder with a database path in it; `cleanup()` removes it. */
export interface TempDb {
  dir: string;
  path: string;
  env: Record<string, string>;
  cleanup(): Promise<void>;
}

/**
 * Makes a fresh temp folder and database path (the database itself is created on first use).
 *
 * @example
 * ```ts
 * await using db = await tempDb();
 * ```
 */
export async function tempDb(): Promise<TempDb & AsyncDisposable> {
  const dir = await Deno.makeTempDir({ prefix: "queuectl-test-" });
  const path = join(dir, "queue.kv");
  const cleanup = () => Deno.remove(dir, { recursive: true }).catch(() => {});
  // Strict limits in every CLI and worker subprocess too, even when a test file is run alone.
  const env = { QUEUECTL_DB: path, NO_COLOR: "1", QUEUECTL_STRICT_LIMITS: "1" };
  if (Deno.env.get("QUEUECTL_TEST_REMOTE") === "1") return await remoteTempDb(dir, env, cleanup);
  return { dir, path, env, cleanup, [Symbol.asyncDispose]: cleanup };
}

/**
 * With `QUEUECTL_TEST_REMOTE=1`, a test's database is a KV Connect server in this process
 * instead of a file, so the CLI-only end-to-end suites can be run against a remote KV as they
 * are: `QUEUECTL_TEST_REMOTE=1 deno test -A tests/lifecycle_test.ts`.
 */
async function remoteTempDb(
  dir: string,
  env: Record<string, string>,
  removeDir: () => Promise<void>,
): Promise<TempDb & AsyncDisposable> {
  const token = "queuectl-test-token-0123";
  // `storeOf` opens the server from this process; Deno's client reads the token from here.
  Deno.env.set("DENO_KV_ACCESS_TOKEN", token);
  const server = await startKvConnectServer({ token });
  const cleanup = async () => {
    await server.close();
    await removeDir();
  };
  return {
    dir,
    path: server.url,
    env: { ...env, QUEUECTL_DB: server.url, DENO_KV_ACCESS_TOKEN: token },
    cleanup,
    [Symbol.asyncDispose]: cleanup,
  };
}

/** The argv prefix that runs the CLI (`deno run -A --config deno.json main.ts`). */
export function cliArgv(): string[] {
  return ["run", "-A", "--quiet", "--config", CONFIG, MAIN];
}

/**
 * Runs the real CLI in a subprocess against `db` and collects its output.
 *
 * @example
 * ```ts
 * await using db = await tempDb();
 * const r = await cli(db, ["enqueue", "--command", "true"]);
 * ```
 */
export async function cli(
  db: TempDb,
  args: string[],
  options: { stdin?: string; env?: Record<string, string>; cwd?: string } = {},
): Promise<CliResult> {
  const child = new Deno.Command(Deno.execPath(), {
    args: [...cliArgv(), ...args],
    env: { ...db.env, ...options.env },
    cwd: options.cwd,
    stdin: options.stdin === undefined ? "null" : "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  if (options.stdin !== undefined) {
    const w = child.stdin.getWriter();
    try {
      await w.write(new TextEncoder().encode(options.stdin));
      await w.close();
    } catch (e) {
      // A CLI that refuses its input exits without reading all of it; its exit code says why.
      if (!(e instanceof Deno.errors.BrokenPipe)) throw e;
    }
  }
  const out = await child.output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

/** A running `worker start` supervisor. */
export interface Workers {
  process: Deno.ChildProcess;
  /** Sends SIGTERM (graceful stop) and waits for exit; returns the exit code. */
  stop(signal?: Deno.Signal): Promise<number>;
  /** stderr lines seen so far (structured log). */
  log(): string;
}

/**
 * Starts `worker start --count N` in the foreground as a subprocess (`options.args` are added to
 * its command line, e.g. `--queues a,b`).
 *
 * @example
 * ```ts
 * await using db = await tempDb();
 * const workers = await startWorkers(db, 2);
 * await workers.stop();
 * ```
 */
export function startWorkers(
  db: TempDb,
  count: number,
  options: { env?: Record<string, string>; args?: string[] } = {},
): Workers {
  const process = new Deno.Command(Deno.execPath(), {
    args: [...cliArgv(), "worker", "start", "--count", String(count), ...(options.args ?? [])],
    env: { ...db.env, ...options.env },
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }).spawn();
  let log = "";
  const reading = (async () => {
    const dec = new TextDecoder();
    for await (const chunk of process.stderr) log += dec.decode(chunk, { stream: true });
  })();
  let stopped: Promise<number> | null = null;
  return {
    process,
    log: () => log,
    stop(signal: Deno.Signal = "SIGTERM") {
      stopped ??= (async () => {
        try {
          process.kill(signal);
        } catch {
          // Already exited.
        }
        // A stuck supervisor must fail the test, not hang the suite: kill it after 30 s.
        const timer = setTimeout(() => {
          try {
            process.kill("SIGKILL");
          } catch {
            // Exited just now.
          }
        }, 30_000);
        const status = await process.status;
        clearTimeout(timer);
        await reading;
        return status.code;
      })();
      return stopped;
    },
  };
}

/**
 * Polls `check` until it returns a truthy value, or fails after `timeoutMs` with `what`.
 *
 * @example
 * ```ts
 * import { getJob } from "../src/store/query.ts";
 * import type { Store } from "../src/store/open.ts";
 * declare const store: Store;
 * declare const id: string; // an enqueued job's id
 * await waitFor(async () => (await getJob(store, id))?.state === "completed", { what: "job done" });
 * ```
 */
export async function waitFor<T>(
  check: () => T | Promise<T>,
  options: { timeoutMs?: number; intervalMs?: number; what?: string } = {},
): Promise<NonNullable<T>> {
  const deadline = Date.now() + (options.timeoutMs ?? 20_000);
  let last: T | undefined;
  while (Date.now() < deadline) {
    last = await check();
    if (last) return last as NonNullable<T>;
    await new Promise((r) => setTimeout(r, options.intervalMs ?? 25));
  }
  throw new Error(`timed out waiting for ${options.what ?? "a condition"}`);
}

/**
 * Creates the (empty) test database, as the first `enqueue` or `worker start` would. Reading
 * commands need one: on a missing database they exit 1 ("no database at PATH"). One process
 * creating it also spares tests whose processes would otherwise race to create it together.
 *
 * @example
 * ```ts
 * await using db = await tempDb();
 * await createDb(db);
 * ```
 */
export async function createDb(db: TempDb): Promise<void> {
  (await openStore(db.path)).close();
}

/**
 * Opens the test database directly, for assertions and fixtures.
 *
 * @example
 * ```ts
 * await using db = await tempDb();
 * await using store = await storeOf(db);
 * ```
 */
export async function storeOf(db: TempDb): Promise<Store & AsyncDisposable> {
  const store = await openStore(db.path);
  return Object.assign(store, { [Symbol.asyncDispose]: () => Promise.resolve(store.close()) });
}

/**
 * Checks a failed CLI run the way a user must see it: exit `code`, exactly one line on stderr
 * that starts `queuectl: ` (and matches `pattern`), no stack trace, nothing on stdout.
 * Returns the line. `label` names the case in the failure message.
 *
 * @example
 * ```ts
 * await using db = await tempDb();
 * assertOneLineError(await cli(db, ["show", "nope"]), 1, /not found/);
 * ```
 */
export function assertOneLineError(
  r: CliResult,
  code: number,
  pattern?: RegExp,
  label = "",
): string {
  const fail = (why: string) => {
    throw new Error(
      `${label ? label + ": " : ""}${why}\n  code: ${r.code}\n  stdout: ${
        JSON.stringify(r.stdout)
      }\n  stderr: ${JSON.stringify(r.stderr)}`,
    );
  };
  if (r.code !== code) fail(`expected exit ${code}`);
  const lines = r.stderr.replace(/\n$/, "").split("\n");
  if (r.stderr.trim() === "" || lines.length !== 1) fail("expected exactly one line on stderr");
  const line = lines[0]!;
  if (!line.startsWith("queuectl: ")) fail('expected the line to start with "queuectl: "');
  if (/\n\s+at /.test(r.stderr) || /^\s+at /.test(line) || r.stderr.includes("Uncaught")) {
    fail("expected no stack trace");
  }
  if (r.stdout !== "") fail("expected nothing on stdout");
  if (pattern && !pattern.test(line)) fail(`expected the line to match ${pattern}`);
  return line;
}

/** Job counts per state from `queuectl status --json` (asserts it succeeds). */
export async function statusCounts(db: TempDb): Promise<Record<string, number>> {
  const r = await cli(db, ["status", "--json"]);
  if (r.code !== 0) throw new Error(`status --json failed (${r.code}): ${r.stderr}`);
  return JSON.parse(r.stdout).counts;
}

/** `status --json` counts of an empty queue: every state at zero. */
export const ZERO_COUNTS: Readonly<Record<string, number>> = Object.freeze({
  held: 0,
  blocked: 0,
  scheduled: 0,
  pending: 0,
  processing: 0,
  failed: 0,
  completed: 0,
  dead: 0,
  canceled: 0,
});

/**
 * Runs the CLI and returns its stdout, failing with its stderr when it did not exit 0.
 *
 * @example
 * ```ts
 * await using db = await tempDb();
 * const id = (await cliOk(db, ["enqueue", "--command", "true"])).trim();
 * ```
 */
export async function cliOk(
  db: TempDb,
  args: string[],
  options: { stdin?: string; env?: Record<string, string> } = {},
): Promise<string> {
  const r = await cli(db, args, options);
  if (r.code !== 0) {
    throw new Error(`queuectl ${args.join(" ")} exited ${r.code}: ${r.stderr.trim()}`);
  }
  return r.stdout;
}

/** A job as `show ID --json` prints it (snake_case, ISO times, attempts under `history`). */
// deno-lint-ignore no-explicit-any
export type ShownJob = Record<string, any> & { history: Record<string, any>[] };

/**
 * The job as `queuectl show ID --json` prints it.
 *
 * @example
 * ```ts
 * await using db = await tempDb();
 * declare const id: string; // a job a worker has run
 * const job = await showJob(db, id);
 * job.state; // "completed"
 * ```
 */
export async function showJob(db: TempDb, id: string): Promise<ShownJob> {
  return JSON.parse(await cliOk(db, ["show", id, "--json"]));
}

/**
 * Polls `show ID --json` until `check(job)` holds; returns that job.
 *
 * @example
 * ```ts
 * await using db = await tempDb();
 * const id = (await cliOk(db, ["enqueue", "--command", "true"])).trim();
 * await using _workers = workersFor(db, 1);
 * const job = await waitForJob(db, id, (j) => j.state === "completed");
 * ```
 */
export async function waitForJob(
  db: TempDb,
  id: string,
  check: (job: ShownJob) => boolean,
  options: { timeoutMs?: number; what?: string } = {},
): Promise<ShownJob> {
  let last: ShownJob | null = null;
  try {
    return await waitFor(async () => {
      last = await showJob(db, id);
      return check(last) ? last : null;
    }, { intervalMs: 100, timeoutMs: options.timeoutMs, what: options.what ?? `job ${id}` });
  } catch (err) {
    throw new Error(`${(err as Error).message}; last seen: ${JSON.stringify(last)}`);
  }
}

/**
 * True while any live (non-zombie) process belongs to process group `pgid` (Linux `/proc`).
 *
 * @example
 * ```ts
 * declare const pgid: number; // a job's process group (its shell's pid)
 * await waitFor(() => !processGroupAlive(pgid), { what: "the job's processes to exit" });
 * ```
 */
export function processGroupAlive(pgid: number): boolean {
  for (const entry of Deno.readDirSync("/proc")) {
    if (!/^\d+$/.test(entry.name)) continue;
    let stat: string;
    try {
      stat = Deno.readTextFileSync(`/proc/${entry.name}/stat`);
    } catch {
      continue; // Exited while we looked.
    }
    // Fields after the last ")": state, ppid, pgrp, ...
    const [state, , pgrp] = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    if (Number(pgrp) === pgid && state !== "Z") return true;
  }
  return false;
}

/**
 * True while process `pid` exists and is not a zombie (Linux `/proc`).
 *
 * @example
 * ```ts
 * declare const pid: number; // the supervisor's pid
 * await waitFor(() => !processAlive(pid), { what: "the supervisor to exit" });
 * ```
 */
export function processAlive(pid: number): boolean {
  try {
    const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
    return stat[stat.lastIndexOf(")") + 2] !== "Z";
  } catch {
    return false;
  }
}

/**
 * Workers that stop when the test's scope ends (`await using`), even when an assertion failed:
 * a graceful stop, forced by a second signal after 5 s.
 *
 * @example
 * ```ts
 * await using db = await tempDb();
 * await using workers = workersFor(db, 2);
 * ```
 */
export function workersFor(
  db: TempDb,
  count: number,
  options: { args?: string[] } = {},
): Workers & AsyncDisposable {
  const workers = startWorkers(db, count, options);
  return Object.assign(workers, {
    async [Symbol.asyncDispose]() {
      const force = setTimeout(() => {
        try {
          workers.process.kill("SIGTERM");
        } catch {
          // Already gone.
        }
      }, 5_000);
      await workers.stop();
      clearTimeout(force);
    },
  });
}

/**
 * Enqueues one job through the CLI with `args` after `enqueue` and returns what it printed (its
 * id, or its JSON with `--json`); fails unless it exits 0.
 *
 * @example
 * ```ts
 * await using db = await tempDb();
 * const id = await enqueueId(db, ["--command", "true", "--hold"]);
 * ```
 */
export async function enqueueId(db: TempDb, args: string[]): Promise<string> {
  return (await cliOk(db, ["enqueue", ...args])).trim();
}
