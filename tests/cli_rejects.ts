/**
 * Shared by the CLI bad-input tests: running commands that must be rejected and checking that
 * nothing was written.
 *
 * @module
 */
import { deepStrictEqual as assertEquals } from "node:assert/strict";
import {
  assertOneLineError,
  cli,
  type CliResult,
  statusCounts,
  type TempDb,
  ZERO_COUNTS,
} from "./helpers.ts";

/** One command line to reject: its arguments, the stderr line it must match, its stdin. */
export interface Case {
  args: string[];
  pattern: RegExp;
  stdin?: string;
}

/** Runs every case at once and checks each failed with `code` and one matching line. */
export async function expectRejected(db: TempDb, cases: Case[], code = 2): Promise<CliResult[]> {
  const results = await Promise.all(
    cases.map((c) => cli(db, c.args, c.stdin === undefined ? {} : { stdin: c.stdin })),
  );
  results.forEach((r, i) => {
    const c = cases[i]!;
    assertOneLineError(r, code, c.pattern, JSON.stringify(c.args));
  });
  return results;
}

/** Asserts the queue holds no job at all (or that there is no database at all). */
export async function assertNothingWritten(db: TempDb): Promise<void> {
  // Reading commands create no database, and a missing one is the plainest "nothing written".
  const missing = await Deno.stat(db.path).then(() => false, () => !db.path.includes("://"));
  if (missing) return;
  assertEquals(await statusCounts(db), ZERO_COUNTS);
  const list = await cli(db, ["list", "--json"]);
  assertEquals([list.code, JSON.parse(list.stdout)], [0, []]);
}
