/**
 * Finding and opening the database: `--db`, then `QUEUECTL_DB`, then a per-user file.
 *
 * @module
 */
import { dirname, join } from "node:path";
import { OperationError } from "../errors.ts";
import { Db, isLocked } from "./db.ts";
import { Doorbell } from "./doorbell.ts";

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
  /** Refuse operations beyond the remote KV limits even locally. Default: env `QUEUECTL_STRICT_LIMITS=1`. */
  strict?: boolean;
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
  const strict = options.strict ?? Deno.env.get("QUEUECTL_STRICT_LIMITS") === "1";
  let kv: Deno.Kv;
  try {
    if (!remote) await prepareFile(location);
    kv = await openRetrying(location);
  } catch (err) {
    if (err instanceof OperationError) throw err;
    const why = err instanceof Error ? err.message.split("\n")[0] : String(err);
    throw new OperationError(`cannot open database ${location}: ${why}`, { cause: err });
  }
  if (!remote) await tightenMode(location);
  const db = new Db(kv, { strict });
  const doorbell = new Doorbell(remote ? null : `${location}.wake`);
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

async function prepareFile(path: string): Promise<void> {
  const dir = dirname(path);
  try {
    await Deno.mkdir(dir, { recursive: true, mode: 0o700 });
  } catch (err) {
    const why = err instanceof Error ? err.message.split("\n")[0] : String(err);
    throw new OperationError(`cannot create database folder ${dir}: ${why}`, { cause: err });
  }
  try {
    const info = await Deno.stat(path);
    if (info.isDirectory) throw new OperationError(`cannot open database ${path}: it is a folder`);
  } catch (err) {
    if (!(err instanceof Deno.errors.NotFound)) throw err;
  }
}

async function tightenMode(path: string): Promise<void> {
  // A database that anyone can write lets anyone run commands as the worker's user.
  for (const p of [path, `${path}-wal`, `${path}-shm`]) {
    try {
      await Deno.chmod(p, 0o600);
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
