/**
 * Opening the database named by `location.ts`: a KV Connect URL, or a file that is created on
 * first use by the commands that write, and only read where it exists by the others.
 *
 * @module
 */
import { dirname } from "../path.ts";
import { parseDuration } from "../duration.ts";
import { OperationError, UsageError } from "../errors.ts";
import { Db, isLocked } from "./db.ts";
import { type Doorbell, FileDoorbell } from "./doorbell.ts";
import { WatchDoorbell } from "./watch_doorbell.ts";
import { checkLocation, isRemoteLocation } from "./location.ts";
import { openReadOnly } from "./open_read_only.ts";

export { checkLocation, isRemoteLocation, resolveLocation } from "./location.ts";

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
  /**
   * Why the database could only be opened for reading (see {@linkcode OpenOptions.create}), or
   * null when it takes writes. Every write then fails with one line that says so.
   */
  readOnly: string | null;
  /** Wakes idle workers when work arrives. */
  doorbell: Doorbell;
  /**
   * Wakes `queuectl wait` when a job ends: on a file, `<db>.ended`, rung only while it exists
   * (a waiter made it); on a remote KV none (waiters watch the job records).
   */
  endBell: Doorbell;
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
  /**
   * Create a missing database file, and its folder (mode 0700; the file gets 0600). Default
   * true, for the commands that add something. With false (the commands that read, or change
   * what exists), a missing file is an OperationError "no database at PATH" and nothing is
   * created; and a file that cannot be opened for writing (a read-only mount or folder, a full
   * disk) is opened read-only, so that reading still works: {@linkcode Store.readOnly} says why.
   */
  create?: boolean;
}

/**
 * Opens the database: a KV Connect URL, or a file (see {@linkcode OpenOptions.create}).
 *
 * @example
 * ```ts
 * const store = await openStore("/tmp/q.kv");
 * store.close();
 * ```
 */
export async function openStore(location: string, options: OpenOptions = {}): Promise<Store> {
  checkLocation(location, "the database location");
  const remote = isRemoteLocation(location);
  const strict = options.strict ?? (remote || Deno.env.get("QUEUECTL_STRICT_LIMITS") === "1");
  const timeoutMs = options.timeoutMs ?? envTimeout() ?? (remote ? REMOTE_TIMEOUT_MS : 0);
  let kv: Deno.Kv;
  let readOnly: string | null = null;
  try {
    if (remote) kv = await openRemote(location, timeoutMs);
    else if (options.create ?? true) {
      prepareFile(location);
      kv = await openRetrying(location);
    } else ({ kv, readOnly } = await openExisting(location));
  } catch (err) {
    if (err instanceof OperationError) throw err;
    const hint = !remote && !isLocked(err) && await opensReadOnly(location)
      ? " (it opens only for reading: a read-only file, folder or mount, or a full disk)"
      : "";
    throw new OperationError(`cannot open database ${location}: ${openFailure(err)}${hint}`, {
      cause: err,
    });
  }
  if (!remote && readOnly === null) tightenMode(location);
  const name = `database ${location}`;
  const db = new Db(kv, { strict, timeoutMs, name, readOnly: readOnly ?? undefined });
  // A read-only store rings no bell: its file could not be created there either.
  const doorbell: Doorbell = remote
    ? new WatchDoorbell(db)
    : new FileDoorbell(readOnly === null ? `${location}.wake` : null);
  const endBell = new FileDoorbell(remote || readOnly !== null ? null : `${location}.ended`, {
    onlyWhenWatched: true,
  });
  return {
    db,
    location,
    remote,
    readOnly,
    doorbell,
    endBell,
    close() {
      doorbell.close();
      endBell.close();
      db.close();
    },
  };
}

/**
 * Opens a database file that must exist, creating nothing: for writing when it can, else for
 * reading, with the reason the write open failed.
 */
async function openExisting(path: string): Promise<{ kv: Deno.Kv; readOnly: string | null }> {
  let info: Deno.FileInfo;
  try {
    info = Deno.statSync(path);
  } catch (err) {
    // A path under a regular file (ENOTDIR) holds no database either.
    if (err instanceof Deno.errors.NotFound || err instanceof Deno.errors.NotADirectory) {
      throw new OperationError(`no database at ${path}`, { cause: err });
    }
    throw err;
  }
  if (info.isDirectory) throw new OperationError(`cannot open database ${path}: it is a folder`);
  try {
    return { kv: await openRetrying(path), readOnly: null };
  } catch (err) {
    if (isLocked(err)) throw err;
    try {
      return { kv: await openReadOnly(path), readOnly: openFailure(err) };
    } catch {
      throw err; // The first failure says more (a corrupt file fails both ways).
    }
  }
}

/** True when the existing file at `path` opens read-only: why a write open failed is then plain. */
async function opensReadOnly(path: string): Promise<boolean> {
  try {
    if (!Deno.statSync(path).isFile) return false;
    (await openReadOnly(path)).close();
    return true;
  } catch {
    return false;
  }
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
