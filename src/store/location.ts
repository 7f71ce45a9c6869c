/**
 * Where the database is: `--db`, then `QUEUECTL_DB`, then a per-user file; and which values are
 * refused before anything is opened or created.
 *
 * @module
 */
import { join } from "../path.ts";
import { OperationError, UsageError } from "../errors.ts";

/**
 * Where the database is: an explicit `--db` value, else env `QUEUECTL_DB`, else
 * `~/.queuectl/queue.kv`. An empty value (an unset shell variable) and a location that is
 * neither a path nor an http(s) URL are a UsageError: falling back to the default, or creating a
 * file named after a URL, would quietly use the wrong database.
 *
 * @example
 * ```ts
 * resolveLocation("/tmp/q.kv"); // "/tmp/q.kv"
 * ```
 */
export function resolveLocation(flag?: string): string {
  if (flag !== undefined) return checkLocation(flag, "--db");
  const env = Deno.env.get("QUEUECTL_DB");
  if (env !== undefined) return checkLocation(env, "QUEUECTL_DB");
  const home = Deno.env.get("HOME") ?? Deno.env.get("USERPROFILE");
  if (!home) throw new OperationError("cannot find a home folder: set --db or QUEUECTL_DB");
  return join(home, ".queuectl", "queue.kv");
}

/**
 * Returns `location` if it can name a database, else throws a UsageError that names `source`
 * (pure). Accepted: a file path, or an `http://`/`https://` KV Connect URL. Refused:
 * - an empty or blank value;
 * - any other `scheme://` (ftp, s3, file…): it would otherwise become a local file named
 *   `ftp:/host/x`;
 * - `file:` in any form and SQLite's `:memory:`: SQLite reads them as a URI (with options that
 *   bypass the checks here) or as a database that vanishes when the command exits.
 *
 * @example
 * ```ts
 * checkLocation("./q.kv", "--db"); // "./q.kv"
 * checkLocation("ftp://host/x", "--db"); // throws UsageError
 * ```
 */
export function checkLocation(location: string, source: string): string {
  if (location.trim() === "") {
    throw new UsageError(
      `${source} needs a database path or URL, got ${JSON.stringify(location)}`,
    );
  }
  if (isRemoteLocation(location)) return location;
  // Two letters at least, so that a Windows drive (`C:/…`) is not taken for a scheme.
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]+):\/\//.exec(location)?.[1] ??
    (/^file:/i.test(location) ? "file" : null);
  if (scheme !== null) {
    throw new UsageError(
      `${source} must be a file path or an http(s):// URL, got ${
        JSON.stringify(location)
      } (scheme "${scheme.toLowerCase()}:" is not supported)`,
    );
  }
  if (location === ":memory:") {
    throw new UsageError(
      `${source} must be a file path or an http(s):// URL, got ":memory:" (an in-memory database is gone when the command exits)`,
    );
  }
  return location;
}

/**
 * True for a KV Connect location.
 *
 * @example
 * ```ts
 * isRemoteLocation("https://kv.example.com"); // true
 * ```
 */
export function isRemoteLocation(location: string): boolean {
  return /^https?:\/\//i.test(location);
}
