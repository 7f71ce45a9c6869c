/**
 * A hostile environment for the job: a worker without `sh`; a command that does not exist;
 * output that is not UTF-8 or is larger than `output_limit`. Each is recorded on the job as it
 * happened, never a crash loop and never a lost job.
 *
 * @module
 */
import { deepStrictEqual, equal, match, ok } from "node:assert/strict";
import { join } from "node:path";
import { cli, cliArgv, cliOk, startWorkers, type TempDb, tempDb, waitForJob } from "./helpers.ts";

/** Runs the CLI and keeps its stdout as raw bytes. */
async function cliBytes(db: TempDb, args: string[]): Promise<{ code: number; stdout: Uint8Array }> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: [...cliArgv(), ...args],
    env: db.env,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  return { code: out.code, stdout: out.stdout };
}

Deno.test({
  name:
    "without sh on PATH a job fails with a recorded 'could not start' error, goes through retry to the DLQ, and the worker keeps running without crashing",
  sanitizeOps: false,
  sanitizeResources: false,
  fn: async () => {
    await using db = await tempDb();
    const emptyBin = join(db.dir, "bin");
    await Deno.mkdir(emptyBin);
    await cliOk(db, ["config", "set", "backoff_base", "1"]);
    await cliOk(db, ["enqueue", "--id", "nosh", "--command", "echo ran", "--max-retries", "1"]);
    // The supervisor and its workers run from Deno's absolute path; only the job needs PATH.
    const workers = startWorkers(db, 1, { env: { PATH: emptyBin } });
    try {
      const job = await waitForJob(db, "nosh", (j) => j.state === "dead");
      equal(job.attempts, 2);
      equal(job.exit_code, null);
      match(job.last_error, /^could not start: .*\bsh\b/);
      deepStrictEqual(job.history.map((a) => [a.n, a.outcome, a.exit_code]), [
        [1, "failed", null],
        [2, "failed", null],
      ]);
      for (const a of job.history) match(a.error, /^could not start: /);
      // The same worker is still registered and alive: it did not crash, nor was it restarted.
      const list = JSON.parse(await cliOk(db, ["worker", "list", "--json"]));
      deepStrictEqual(list.map((w: { id: string }) => w.id), [job.history[0]!.worker]);
      equal(job.history[1]!.worker, job.history[0]!.worker);
      ok(!workers.log().includes("worker.crashed"), workers.log());
    } finally {
      equal(await workers.stop(), 0);
    }
    // Not lost: from the DLQ it runs fine under a worker that has sh.
    await cliOk(db, ["dlq", "retry", "nosh"]);
    const healthy = startWorkers(db, 1);
    try {
      const job = await waitForJob(db, "nosh", (j) => j.state === "completed");
      equal(job.history.at(-1)?.outcome, "succeeded");
    } finally {
      await healthy.stop();
    }
  },
});

Deno.test({
  name: "a worker records what jobs really did, however odd",
  sanitizeOps: false,
  sanitizeResources: false,
  fn: async (t) => {
    await using db = await tempDb();
    await cliOk(db, ["config", "set", "output_limit", "1k"]);
    // 500 numbered lines of 10 bytes: 5,000 bytes, so a cut anywhere but at 1,024 shows.
    const numbered = `i=0; while [ $i -lt 500 ]; do printf '%09d\\n' $i; i=$((i+1)); done`;
    const specs = [
      { id: "raw", command: "printf '\\377\\376\\375'; printf '\\200\\201' >&2" },
      { id: "big", command: numbered },
      { id: "missing", command: "no_such_command_qctl_xyz --flag", max_retries: 0 },
    ];
    await cliOk(db, ["enqueue", "--file", "-"], {
      stdin: specs.map((s) => JSON.stringify(s)).join("\n"),
    });
    const workers = startWorkers(db, 1);
    try {
      await t.step(
        "output that is not UTF-8 completes, logs prints exactly the raw bytes of each stream, and show --json still parses",
        async () => {
          const job = await waitForJob(db, "raw", (j) => j.state === "completed");
          deepStrictEqual(job.history[0]!.output, {
            stdout_bytes: 3,
            stderr_bytes: 2,
            truncated: false,
          });
          const out = await cliBytes(db, ["logs", "raw"]);
          deepStrictEqual([out.code, [...out.stdout]], [0, [0xff, 0xfe, 0xfd]]);
          const err = await cliBytes(db, ["logs", "raw", "--stderr"]);
          deepStrictEqual([err.code, [...err.stdout]], [0, [0x80, 0x81]]);
          const text = await cli(db, ["show", "raw"]);
          equal(text.code, 0, text.stderr);
        },
      );

      await t.step(
        "output past output_limit is stored as its head and tail around a marker line, and the attempt records its full size and truncated: true",
        async () => {
          const job = await waitForJob(db, "big", (j) => j.state === "completed");
          deepStrictEqual(job.history[0]!.output, {
            stdout_bytes: 5000,
            stderr_bytes: 0,
            truncated: true,
          });
          let all = "";
          for (let i = 0; i < 500; i++) all += `${String(i).padStart(9, "0")}\n`;
          // Half the limit from each end; the head ends mid-line, so the marker starts one.
          const expected = `${all.slice(0, 512)}\n[... 3,976 bytes cut by queuectl ...]\n` +
            all.slice(5000 - 512);
          const out = await cliBytes(db, ["logs", "big"]);
          equal(out.code, 0);
          equal(new TextDecoder().decode(out.stdout), expected);
        },
      );

      await t.step(
        "a command that is not found is recorded as exit code 127 and goes dead",
        async () => {
          const job = await waitForJob(db, "missing", (j) => j.state === "dead");
          deepStrictEqual(
            [job.exit_code, job.attempts, job.history.map((a) => a.outcome)],
            [127, 1, ["failed"]],
          );
          match(await cliOk(db, ["logs", "missing", "--stderr"]), /no_such_command_qctl_xyz/);
        },
      );
      ok(!workers.log().includes("worker.crashed"), workers.log());
    } finally {
      equal(await workers.stop(), 0);
    }
  },
});
