/**
 * Shared by the worker and supervisor end-to-end tests: the worker registry as the CLI prints it,
 * ISO times in milliseconds, and shell quoting for paths put into job commands.
 *
 * @module
 */
import { cliOk, type TempDb } from "./helpers.ts";

/** A JSON object as the CLI prints it; the tests read its fields freely. */
// deno-lint-ignore no-explicit-any
export type Json = Record<string, any>;

/** The registered workers, as `worker list --json` prints them. */
export async function workerList(db: TempDb): Promise<Json[]> {
  return JSON.parse(await cliOk(db, ["worker", "list", "--json"]));
}

/** An ISO 8601 time as epoch milliseconds. */
export const ms = (iso: string) => Date.parse(iso);

/** `path` quoted for `sh`. */
export const sh = (path: string) => `'${path.replaceAll("'", "'\\''")}'`;
