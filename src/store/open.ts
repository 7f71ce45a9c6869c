/**
 * Finding and opening the database: `--db`, then `QUEUECTL_DB`, then a per-user file.
 *
 * @module
 */
import { dirname, join } from "../path.ts";
import { parseDuration } from "../duration.ts";
import { OperationError, UsageError } from "../errors.ts";
import { Db, isLocked } from "./db.ts";
import { type Doorbell, FileDoorbell } from "./doorbell.ts";
import { WatchDoorbell } from "./watch_doorbell.ts";

/** How long one remote KV call may take unless `QUEUECTL_DB_TIMEOUT` says otherwise. */
export const REMOTE_TIMEOUT_MS = 10_000;

/** An open queue database. Every store operation takes one. */
export interface Store {
  /** The KV handle behind retries and limits. */
  db: Db;
  /** Where it lives: a file path or a URL. */
  location: string;
  /** True for a KV Connect URL. */
  remote: boolean;
  /** Wakes idle workers when work arrives. */
  doorbell: Doorbell;
  /** Closes the database. */
  close(): void;
}

/** Options of {@linkcode openStore}. */
export interface OpenOptions {
  /**
   * Refuse operations beyond the remote KV limits even locally. Default: always for a remote
   * KV, else env `QUEUECTL_STRICT_LIMITS=1`.
   */
  strict?: boolean;
  /**
   * The longest the open and each later KV call may take, in ms (0: no limit). Default: env
   * `QUEUECTL_DB_TIMEOUT` (a duration), else 10 s for a remote KV and no limit for a file,
   * whose calls are already bounded by the "database is locked" retry.
   */
  timeoutMs?: number;
}

/**
 * Where the database is: an explicit `--db` value, else env `QUEUECTL_DB`, else
 * `~/.queuectl/queue.kv`.
 *
 * @example
 * ```ts
 * resolveLocation("/tmp/q.kv"); // "/tmp/q.kv"
 * ```
 */
export function resolveLocation(flag?: string): string {
  const value = flag ?? Deno.env.get("QUEUECTL_DB");
  if (value && value.trim() !== "") return value;
  const home = Deno.env.get("HOME") ?? Deno.env.get("USERPROFILE");
  if (!home) throw new OperationError("cannot find a home folder: set --db or QUEUECTL_DB");
  return join(home, ".queuectl", "queue.kv");
}

/** True for a KV Connect location. */
export function isRemoteLocation(location: string): boolean {
  return /^https?:\/\//i.test(location);
}

/**
 * Opens the database, creating its folder (mode 0700) and file (mode 0600) on first use.
 *
 * @example
 * ```ts
 * const store = await openStore("/tmp/q.kv");
 * store.close();
 * ```
 */
export async function openStore(location: string, options: OpenOptions = {}): Promise<Store> {
  const remote = isRemoteLocation(location);
  const strict = options.strict ?? (remote || Deno.env.get("QUEUECTL_STRICT_LIMITS") === "1");
  const timeoutMs = options.timeoutMs ?? envTimeout() ?? (remote ? REMOTE_TIMEOUT_MS : 0);
  let kv: Deno.Kv;
  try {
    if (remote) kv = await openRemote(location, timeoutMs);
    else {
      prepareFile(location);
      kv = await openRetrying(location);
    }
  } catch (err) {
    if (err instanceof OperationError) throw err;
    throw new OperationError(`cannot open database ${location}: ${openFailure(err)}`, {
      cause: err,
    });
  }
  if (!remote) tightenMode(location);
  const db = new Db(kv, { strict, timeoutMs, name: `database ${location}` });
  const doorbell: Doorbell = remote ? new WatchDoorbell(db) : new FileDoorbell(`${location}.wake`);
  return {
    db,
    location,
    remote,
    doorbell,
    close() {
      doorbell.close();
      db.close();
    },
  };
}

function envTimeout(): number | undefined {
  const text = Deno.env.get("QUEUECTL_DB_TIMEOUT");
  if (text === undefined || text.trim() === "") return undefined;
  try {
    return parseDuration(text);
  } catch {
    throw new UsageError(`QUEUECTL_DB_TIMEOUT must be a duration such as 10s, got "${text}"`);
  }
}

/**
 * Opens a KV Connect URL. Deno does the metadata exchange (and the token check) here, but it
 * waits forever on a server that accepts connections and never answers: hence the deadline.
 */
async function openRemote(url: string, timeoutMs: number): Promise<Deno.Kv> {
  if (!Deno.env.get("DENO_KV_ACCESS_TOKEN")) {
    throw new OperationError(
      `cannot open database ${url}: DENO_KV_ACCESS_TOKEN is not set (it must hold the server's access token)`,
    );
  }
  const opening = Deno.openKv(url);
  if (timeoutMs <= 0) return await opening;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let gaveUp = false;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      gaveUp = true;
      reject(
        new OperationError(
          `cannot open database ${url}: the server did not answer within ${timeoutMs / 1000}s`,
        ),
      );
    }, timeoutMs);
  });
  // A late success must not leak an open handle.
  opening.then((kv) => {
    if (gaveUp) kv.close();
  }, () => {});
  try {
    return await Promise.race([opening, late]);
  } finally {
    clearTimeout(timer);
  }
}

/** The reason an open failed, in one line a user can act on. */
function openFailure(err: unknown): string {
  const text = (err instanceof Error ? err.message : String(err)).split("\n")[0]!
    .replace(/^Could not open Deno KV database: /, "");
  const status = /responded with status (4\d\d[^:]*)(?::\s*(.*))?/.exec(text);
  if (status && /^40[13]/.test(status[1]!)) {
    return `the server refused the access token in DENO_KV_ACCESS_TOKEN (${status[1]}${
      status[2] ? `: ${status[2]}` : ""
    })`;
  }
  if (/Connection refused/i.test(text)) return "cannot reach the server (connection refused)";
  const dns = /dns error|failed to lookup address/i.test(text);
  if (dns) return "cannot reach the server (unknown host name)";
  return text;
}

/**
 * Makes sure the folder exists and that `path` is not a folder. An existing database, the
 * common case, costs one stat: its folder exists, so there is nothing to create. Anything else
 * (a new file, an unreadable path) takes the full route, which reports the failure.
 */
function prepareFile(path: string): void {
  try {
    if (Deno.statSync(path).isFile) return;
  } catch {
    // Missing or unreadable: the full route below says which.
  }
  const dir = dirname(path);
  try {
    Deno.mkdirSync(dir, { recursive: true, mode: 0o700 });
  } catch (err) {
    const why = err instanceof Error ? err.message.split("\n")[0] : String(err);
    throw new OperationError(`cannot create database folder ${dir}: ${why}`, { cause: err });
  }
  try {
    const info = Deno.statSync(path);
    if (info.isDirectory) throw new OperationError(`cannot open database ${path}: it is a folder`);
  } catch (err) {
    if (!(err instanceof Deno.errors.NotFound)) throw err;
  }
}

function tightenMode(path: string): void {
  // A database that anyone can write lets anyone run commands as the worker's user. SQLite gives
  // the WAL files the database's mode, so usually all three are right already and a stat each
  // replaces the chmod (sync: these are local metadata calls, and nothing else runs meanwhile).
  for (const p of [path, `${path}-wal`, `${path}-shm`]) {
    try {
      if ((Deno.statSync(p).mode! & 0o7777) !== 0o600) Deno.chmodSync(p, 0o600);
    } catch {
      // The WAL files come and go; a missing one is fine.
    }
  }
}

/** Several processes creating one new database at once can meet "database is locked". */
async function openRetrying(location: string): Promise<Deno.Kv> {
  const deadline = Date.now() + 30_000;
  for (let delay = 5;; delay = Math.min(delay * 2, 200)) {
    try {
      return await Deno.openKv(location);
    } catch (err) {
      if (!isLocked(err) || Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, delay * (0.5 + Math.random())));
    }
  }
}
