/**
 * Notes, on this host's disk, of results the database refused: what became of a run whose
 * worker could not write it, for the recovery that closes it after that worker stopped or died.
 *
 * A worker that cannot write a result (a full disk) holds it and tries again. If it is stopped
 * or killed before the write gets through, the database never hears of the result, and the run
 * would be closed as a plain "worker lost". So the worker writes a small file as soon as the
 * first write is refused, in a folder of this user's on another file system than the database's
 * as a rule (`$XDG_RUNTIME_DIR`, else the temp folder), and deletes it once the result is
 * written. A recoverer on the same host reads the note of the run it closes and puts the real
 * cause in front of its error. Best effort: a note that cannot be written changes nothing else.
 *
 * @module
 */
import { join } from "node:path";
import type { RunMark } from "./orphans.ts";

/**
 * The folder holding the notes: one per user, mode 0700.
 *
 * @example
 * ```ts
 * notesDir(); // "/tmp/queuectl-1000/unwritten"
 * ```
 */
export function notesDir(): string {
  const base = Deno.env.get("XDG_RUNTIME_DIR") || Deno.env.get("TMPDIR") || "/tmp";
  return join(base, `queuectl-${Deno.uid() ?? "user"}`, "unwritten");
}

/**
 * Writes (or replaces) the note of run `mark`. Never throws.
 *
 * @example
 * ```ts
 * import type { RunMark } from "./orphans.ts";
 * const mark: RunMark = { worker: "web-1:4242:0", job: "a1", run: 3 };
 * writeResultNote(mark, "result could not be written: database or disk is full (the command succeeded, exit 0)");
 * ```
 */
export function writeResultNote(mark: RunMark, note: string): void {
  try {
    const dir = notesDir();
    Deno.mkdirSync(dir, { recursive: true, mode: 0o700 });
    Deno.writeTextFileSync(notePath(mark), note, { mode: 0o600 });
  } catch {
    // Nowhere to write it: the run is then closed as "worker lost", as it would be anyway.
  }
}

/**
 * The note of run `mark`, or null when there is none.
 *
 * @example
 * ```ts
 * import type { RunMark } from "./orphans.ts";
 * const mark: RunMark = { worker: "web-1:4242:0", job: "a1", run: 3 }; // no note written
 * readResultNote(mark); // null
 * ```
 */
export function readResultNote(mark: RunMark): string | null {
  try {
    return Deno.readTextFileSync(notePath(mark));
  } catch {
    return null;
  }
}

/**
 * Deletes the note of run `mark`, if there is one. Never throws.
 *
 * @example
 * ```ts
 * import type { RunMark } from "./orphans.ts";
 * const mark: RunMark = { worker: "web-1:4242:0", job: "a1", run: 3 };
 * dropResultNote(mark);
 * ```
 */
export function dropResultNote(mark: RunMark): void {
  try {
    Deno.removeSync(notePath(mark));
  } catch {
    // None, or gone already.
  }
}

/**
 * The path of run `mark`'s note in {@linkcode notesDir}, with `suffix` for a note of another kind.
 *
 * @example
 * ```ts
 * notePath({ worker: "web-1:4242:0", job: "a1", run: 3 }, ".killed");
 * // "/tmp/queuectl-1000/unwritten/web-1%3A4242%3A0%20a1%203.killed"
 * ```
 */
export function notePath(mark: RunMark, suffix = ""): string {
  // Worker ids hold a host name, which QUEUECTL_HOSTNAME may fill with anything.
  return join(notesDir(), encodeURIComponent(`${mark.worker} ${mark.job} ${mark.run}`) + suffix);
}
