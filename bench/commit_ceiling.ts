/**
 * The commit ceiling: job-sized commits from one or more processes on one KV file, run by
 * bench/commit_storm.ts. The primitives measure it without spawns, B3's durable floor with them.
 *
 * @module
 */
import { DENO, ROOT, run } from "./lib.ts";

/** How many commits per second one KV file takes from `processes` writers at once. */
export interface CommitCeiling {
  /** Writers. */
  processes: number;
  /** Commits in all. */
  commits: number;
  /** Commits per second, all writers together. */
  per_s: number;
  /** "database is locked" errors per commit (each costs a retry pause). */
  locked_per_commit: number;
}

/**
 * Runs bench/commit_storm.ts in `processes` processes at once on one fresh file; with `spawn`,
 * each commit is followed by a `sh -c true`.
 */
export async function commitCeiling(
  dir: string,
  n: number,
  processes: number,
  spawn = false,
): Promise<CommitCeiling> {
  const path = `${dir}/storm-${processes}${spawn ? "-spawn" : ""}.kv`;
  const per = Math.ceil(n / processes);
  // Create the file first so that no writer times its creation.
  (await Deno.openKv(path)).close();
  const outs = await Promise.all(
    Array.from(
      { length: processes },
      () =>
        run(DENO, [
          "run",
          "-A",
          "--unstable-kv",
          `${ROOT}/bench/commit_storm.ts`,
          path,
          String(per),
          ...(spawn ? ["spawn"] : []),
        ]),
    ),
  );
  const marks = outs.map((o) => {
    if (o.code !== 0) throw new Error(`commit_storm.ts exited ${o.code}: ${o.stderr.trim()}`);
    return JSON.parse(o.stdout) as { n: number; start: number; end: number; locked: number };
  });
  const start = Math.min(...marks.map((m) => m.start));
  const end = Math.max(...marks.map((m) => m.end));
  const commits = marks.reduce((a, m) => a + m.n, 0);
  const locked = marks.reduce((a, m) => a + m.locked, 0);
  return {
    processes,
    commits,
    per_s: Math.round(commits / ((end - start) / 1000)),
    locked_per_commit: Math.round(locked / commits * 100) / 100,
  };
}
