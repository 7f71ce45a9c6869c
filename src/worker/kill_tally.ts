/**
 * The tally, on this host's disk, of the processes killed as leftovers of one lost run.
 *
 * A recoverer kills a dead worker's leftover processes before it commits the recovery, so that
 * the retry cannot start beside them. A recoverer that is itself killed between those two steps
 * would take the count with it: the next one finds nothing left, and the history would say the
 * run ended with its worker. So each pid is added to a small file before it is killed, next to
 * the result notes, and whichever recoverer commits reports every pid any of them killed.
 *
 * @module
 */
import type { RunMark } from "./orphans.ts";
import { notePath, notesDir } from "./result_notes.ts";

const SUFFIX = ".killed";

/**
 * Adds `pids` to run `mark`'s tally, before they are killed. Never throws: a tally that cannot be
 * written only loses the count if this recoverer dies before it commits.
 *
 * @example
 * ```ts
 * tallyKills({ worker: "web-1:4242:0", job: "a1", run: 3 }, [5120, 5121]);
 * ```
 */
export function tallyKills(mark: RunMark, pids: readonly number[]): void {
  if (pids.length === 0) return;
  try {
    Deno.mkdirSync(notesDir(), { recursive: true, mode: 0o700 });
    Deno.writeTextFileSync(notePath(mark, SUFFIX), pids.map((p) => `${p}\n`).join(""), {
      append: true,
      mode: 0o600,
    });
  } catch {
    // Nowhere to write it.
  }
}

/**
 * How many distinct processes of run `mark` the recoverers of this host have killed.
 *
 * @example
 * ```ts
 * killedCount({ worker: "web-1:4242:0", job: "a1", run: 3 }); // 2 after the call above
 * ```
 */
export function killedCount(mark: RunMark): number {
  try {
    const text = Deno.readTextFileSync(notePath(mark, SUFFIX));
    return new Set(text.split("\n").filter((l) => l !== "")).size;
  } catch {
    return 0;
  }
}

/**
 * Deletes run `mark`'s tally once its recovery is written. Never throws.
 *
 * @example
 * ```ts
 * dropKillTally({ worker: "web-1:4242:0", job: "a1", run: 3 });
 * ```
 */
export function dropKillTally(mark: RunMark): void {
  try {
    Deno.removeSync(notePath(mark, SUFFIX));
  } catch {
    // None, or gone already.
  }
}
