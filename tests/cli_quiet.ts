/**
 * Shared by the CLI happy-path tests: a CLI run that must succeed quietly (exit 0, nothing on
 * stderr) and its JSON output.
 *
 * @module
 */
import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { cli, type TempDb } from "./helpers.ts";

/** A JSON object as the CLI prints it. */
export type Json = Record<string, unknown>;

/** Runs the CLI, asserts exit 0 and an empty stderr, and returns stdout. */
export async function ok0(db: TempDb, args: string[], stdin?: string): Promise<string> {
  const r = await cli(db, args, stdin === undefined ? {} : { stdin });
  assertEquals(r.code, 0, `${args.join(" ")}: ${r.stderr}`);
  assertEquals(r.stderr, "", args.join(" "));
  return r.stdout;
}

/** Runs the CLI with `--json` output and parses it. */
export async function json<T = Json>(db: TempDb, args: string[]): Promise<T> {
  return JSON.parse(await ok0(db, args));
}
