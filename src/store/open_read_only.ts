/**
 * Opening an existing database file for reading when it cannot be opened for writing: a
 * read-only mount or folder, or a disk too full for SQLite's `-shm` file.
 *
 * Deno KV keeps its SQLite file in WAL mode, and a plain open needs to create (or write) the
 * `-wal` and `-shm` files beside it. Measured on a read-only tmpfs with Deno 2.9.6: a plain open
 * fails with "unable to open database file" unless a `-shm` file is already there (a writer has
 * the database open elsewhere), and so does SQLite's `?mode=ro`. `?immutable=1` opens it, but
 * reads the main file only: beside a `-wal` that holds commits it answered "no such table". So:
 * - no `-wal`, or an empty one (the last writer closed cleanly): everything is in the main file,
 *   and `immutable=1` reads it without creating any file;
 * - a `-wal` with content: `mode=ro`, which reads it through the existing `-shm`.
 *
 * @module
 */

/**
 * Opens the database at `path` read-only, creating no file, or throws SQLite's error.
 *
 * @example
 * ```ts
 * const kv = await openReadOnly("/mnt/ro/queue.kv");
 * ```
 */
export async function openReadOnly(path: string): Promise<Deno.Kv> {
  return await Deno.openKv(readOnlyUri(path, walHoldsCommits(path)));
}

/**
 * The SQLite URI that opens `path` read-only (pure): `immutable=1` when the main file holds every
 * commit, else `mode=ro`. `%`, `?` and `#` are escaped, as URIs require; an absolute path gets an
 * empty authority, so that a path starting with `//` is not read as a host.
 *
 * @example
 * ```ts
 * readOnlyUri("/mnt/q.kv", false); // "file:///mnt/q.kv?immutable=1"
 * ```
 */
export function readOnlyUri(path: string, walHoldsCommits: boolean): string {
  const escaped = path.replace(/[%?#]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  const prefix = path.startsWith("/") ? "file://" : "file:";
  return `${prefix}${escaped}?${walHoldsCommits ? "mode=ro" : "immutable=1"}`;
}

function walHoldsCommits(path: string): boolean {
  try {
    return Deno.statSync(`${path}-wal`).size > 0;
  } catch {
    return false;
  }
}
