/**
 * Shared by the worker and supervisor end-to-end tests: the worker registry as the CLI prints it,
 * ISO times in milliseconds, and shell quoting for paths put into job commands.
 *
 * @module
 */
import { cli, type TempDb } from "./helpers.ts";

/** A JSON object as the CLI prints it; the tests read its fields freely. */
// deno-lint-ignore no-explicit-any
export type Json = Record<string, any>;

/**
 * The registered workers, as `worker list --json` prints them. Workers create a new database as
 * they start; until one has, there is no database, and so no worker.
 */
export async function workerList(db: TempDb): Promise<Json[]> {
  const r = await cli(db, ["worker", "list", "--json"]);
  if (r.code === 1 && r.stderr.startsWith("queuectl: no database at ")) return [];
  if (r.code !== 0) throw new Error(`queuectl worker list --json exited ${r.code}: ${r.stderr}`);
  return JSON.parse(r.stdout);
}

/** An ISO 8601 time as epoch milliseconds. */
export const ms = (iso: string) => Date.parse(iso);

/** `path` quoted for `sh`. */
export const sh = (path: string) => `'${path.replaceAll("'", "'\\''")}'`;
