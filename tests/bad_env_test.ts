/**
 * A hostile environment: a database that is read-only, under a folder that cannot be written,
 * corrupt or truncated, on a full disk; a worker without `sh`; a command that does not exist;
 * output that is not UTF-8 or is larger than `output_limit`. Each gives a clear one-line error
 * or a recorded job failure, never a crash loop and never a lost job.
 *
 * The tests run as root in CI, where permission bits stop nothing; there the database is made
 * read-only with `chattr +i` and the disk is filled on a tiny tmpfs. Tests whose tool is missing
 * here are ignored rather than faked.
 *
 * @module
 */
import { deepStrictEqual, equal, match, ok } from "node:assert/strict";
import { join } from "node:path";
import {
  assertOneLineError,
  cli,
  cliArgv,
  cliOk,
  type CliResult,
  showJob,
  startWorkers,
  statusCounts,
  type TempDb,
  tempDb,
  waitFor,
  waitForJob,
  ZERO_COUNTS,
} from "./helpers.ts";

const ROOT = Deno.uid() === 0;

/** Runs a tool synchronously; true when it exited 0. */
function tool(cmd: string, args: string[]): boolean {
  try {
    return new Deno.Command(cmd, { args, stdout: "null", stderr: "null" }).outputSync().success;
  } catch {
    return false;
  }
}

/** As root, permission bits stop nothing: only the immutable flag makes a file read-only. */
const CAN_MAKE_READ_ONLY = (() => {
  if (!ROOT) return true;
  const dir = Deno.makeTempDirSync({ prefix: "queuectl-probe-" });
  try {
    const ok = tool("chattr", ["+i", dir]);
    tool("chattr", ["-i", dir]);
    return ok;
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
})();

/** A tiny tmpfs needs root (or CAP_SYS_ADMIN) and a kernel that allows it here. */
const CAN_MOUNT_TMPFS = (() => {
  if (!ROOT) return false;
  const dir = Deno.makeTempDirSync({ prefix: "queuectl-probe-" });
  try {
    const ok = tool("mount", ["-t", "tmpfs", "-o", "size=64k", "tmpfs", dir]);
    if (ok) tool("umount", [dir]);
    return ok;
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
})();

/**
 * Makes files and folders read-only for real (root: `chattr +i`; others: mode bits) and returns
 * the undo, which the caller runs in `finally` so the temp folder can be removed.
 */
function makeReadOnly(paths: string[]): () => void {
  if (ROOT) {
    for (const p of paths) ok(tool("chattr", ["+i", p]), `chattr +i ${p}`);
    return () => paths.forEach((p) => tool("chattr", ["-i", p]));
  }
  const modes = paths.map((p) => Deno.statSync(p).mode! & 0o777);
  for (const p of paths) Deno.chmodSync(p, Deno.statSync(p).isDirectory ? 0o555 : 0o444);
  return () => paths.forEach((p, i) => Deno.chmodSync(p, modes[i]!));
}

/**
 * Runs the CLI but kills it after `ms`: a command that should fail at once and instead keeps
 * running (a crash loop) must fail the test, not hang it. `timedOut` says whether it was killed.
 */
async function cliWithin(
  db: TempDb,
  args: string[],
  ms: number,
  env: Record<string, string> = {},
): Promise<CliResult & { timedOut: boolean; ms: number }> {
  const started = Date.now();
  const deadline = AbortSignal.timeout(ms);
  const out = await new Deno.Command(Deno.execPath(), {
    args: [...cliArgv(), ...args],
    env: { ...db.env, ...env },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
    signal: deadline,
  }).output();
  const dec = new TextDecoder();
  return {
    code: out.code,
    stdout: dec.decode(out.stdout),
    stderr: dec.decode(out.stderr),
    timedOut: deadline.aborted,
    ms: Date.now() - started,
  };
}

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

/** `worker start` that should refuse at once; 20 s leaves room for a loaded machine. */
const PROMPTLY_MS = 20_000;

// ---------------------------------------------------------------------------------------------
// read-only, unwritable folder, corrupt

Deno.test({
  name:
    "a read-only database file still serves reads, an enqueue exits 1 with one line naming the read-only database, and the stored job is intact",
  ignore: !CAN_MAKE_READ_ONLY,
  fn: async () => {
    await using db = await tempDb();
    await cliOk(db, ["enqueue", "--id", "kept", "--command", "true"]);
    const undo = makeReadOnly([db.path]);
    try {
      const r = await cli(db, ["enqueue", "--id", "new", "--command", "true"]);
      assertOneLineError(r, 1, /read-only database/i);
      deepStrictEqual(await statusCounts(db), { ...ZERO_COUNTS, pending: 1 });
      const kept = await showJob(db, "kept");
      deepStrictEqual([kept.state, kept.attempts, kept.command], ["pending", 0, "true"]);
      assertOneLineError(await cli(db, ["show", "new"]), 1, /job "new" not found/);
      const doctor = await cli(db, ["doctor"]);
      equal(doctor.code, 0, doctor.stderr);
    } finally {
      undo();
    }
    // Writable again: nothing was lost and the queue works on.
    await cliOk(db, ["enqueue", "--id", "new", "--command", "true"]);
    deepStrictEqual(await statusCounts(db), { ...ZERO_COUNTS, pending: 2 });
  },
});

Deno.test({
  name:
    "a write refused by a read-only database is reported as a database error, not as an 'unexpected error'",
  ignore: !CAN_MAKE_READ_ONLY,
  fn: async () => {
    await using db = await tempDb();
    await cliOk(db, ["enqueue", "--command", "true"]);
    const undo = makeReadOnly([db.path]);
    try {
      const line = assertOneLineError(await cli(db, ["enqueue", "--command", "true"]), 1);
      ok(!line.includes("unexpected error"), line);
    } finally {
      undo();
    }
  },
});

Deno.test({
  name:
    "worker start on a read-only database file exits 1 with one line instead of restarting crashing workers",
  ignore: !CAN_MAKE_READ_ONLY,
  fn: async () => {
    await using db = await tempDb();
    await cliOk(db, ["enqueue", "--id", "kept", "--command", "true"]);
    const undo = makeReadOnly([db.path]);
    try {
      const r = await cliWithin(db, ["worker", "start", "--count", "2"], PROMPTLY_MS);
      ok(!r.timedOut, `worker start was still running after ${PROMPTLY_MS} ms:\n${r.stderr}`);
      assertOneLineError(r, 1, /read-only/i);
    } finally {
      undo();
    }
    equal((await showJob(db, "kept")).state, "pending");
  },
});

Deno.test({
  name:
    "a read-only database folder makes every command, worker start included, exit 1 at once with one 'cannot open database' line, and loses nothing",
  ignore: !CAN_MAKE_READ_ONLY,
  fn: async () => {
    await using db = await tempDb();
    await cliOk(db, ["enqueue", "--id", "kept", "--command", "true"]);
    const before = await Deno.readFile(db.path);
    const undo = makeReadOnly([db.path, db.dir]);
    try {
      const results = await Promise.all([
        cliWithin(db, ["status"], PROMPTLY_MS),
        cliWithin(db, ["enqueue", "--command", "true"], PROMPTLY_MS),
        cliWithin(db, ["show", "kept"], PROMPTLY_MS),
        cliWithin(db, ["worker", "start", "--count", "2"], PROMPTLY_MS),
        cliWithin(db, ["worker", "start", "--detach"], PROMPTLY_MS),
      ]);
      for (const r of results) {
        ok(!r.timedOut, `still running after ${PROMPTLY_MS} ms:\n${r.stderr}`);
        assertOneLineError(r, 1, /cannot open database .*queue\.kv: /);
      }
    } finally {
      undo();
    }
    deepStrictEqual(await Deno.readFile(db.path), before);
    deepStrictEqual((await showJob(db, "kept")).state, "pending");
  },
});

Deno.test({
  name:
    "a database path inside a folder that cannot be written exits 1 with one line naming the folder or file, and creates nothing",
  ignore: !CAN_MAKE_READ_ONLY,
  fn: async () => {
    await using db = await tempDb();
    const locked = join(db.dir, "locked");
    await Deno.mkdir(locked);
    const undo = makeReadOnly([locked]);
    try {
      const nested = join(locked, "new", "q.kv");
      const direct = join(locked, "q.kv");
      const results = await Promise.all([
        cliWithin(db, ["--db", nested, "enqueue", "--command", "true"], PROMPTLY_MS),
        cliWithin(db, ["--db", nested, "worker", "start"], PROMPTLY_MS),
        cliWithin(db, ["--db", direct, "enqueue", "--command", "true"], PROMPTLY_MS),
        cliWithin(db, ["--db", direct, "worker", "start"], PROMPTLY_MS),
      ]);
      results.forEach((r, i) => {
        ok(!r.timedOut, `still running after ${PROMPTLY_MS} ms:\n${r.stderr}`);
        assertOneLineError(
          r,
          1,
          i < 2
            ? /cannot create database folder .*locked\/new: /
            : /cannot open database .*locked\/q\.kv: /,
        );
      });
    } finally {
      undo();
    }
    deepStrictEqual([...Deno.readDirSync(locked)], [], "nothing was created in the folder");
  },
});

Deno.test("a corrupt or truncated database makes worker start (foreground and --detach) exit 1 at once with one line, spawning nothing and changing nothing", async () => {
  await using db = await tempDb();
  const garbage = join(db.dir, "garbage.kv");
  const bytes = crypto.getRandomValues(new Uint8Array(16_384));
  await Deno.writeFile(garbage, bytes);
  // A real database cut short: its header is valid, its pages are not.
  const lines = Array.from({ length: 300 }, (_, i) => JSON.stringify({ command: `echo ${i}` }));
  await cliOk(db, ["enqueue", "--file", "-"], { stdin: lines.join("\n") });
  const truncated = join(db.dir, "truncated.kv");
  await Deno.writeFile(truncated, (await Deno.readFile(db.path)).subarray(0, 8192));
  const truncatedBytes = await Deno.readFile(truncated);

  const cases: [string, RegExp][] = [
    [garbage, /cannot open database .*garbage\.kv: file is not a database/],
    [truncated, /cannot open database .*truncated\.kv: database disk image is malformed/],
  ];
  const results = await Promise.all(cases.flatMap(([path]) => [
    cliWithin(db, ["--db", path, "worker", "start", "--count", "4"], PROMPTLY_MS),
    cliWithin(db, ["--db", path, "worker", "start", "--detach"], PROMPTLY_MS),
  ]));
  results.forEach((r, i) => {
    ok(!r.timedOut, `still running after ${PROMPTLY_MS} ms:\n${r.stderr}`);
    assertOneLineError(r, 1, cases[Math.floor(i / 2)]![1]);
  });
  deepStrictEqual(await Deno.readFile(garbage), bytes);
  deepStrictEqual(await Deno.readFile(truncated), truncatedBytes);
  for (const path of [garbage, truncated]) {
    await Deno.stat(`${path}.log`).then(
      () => ok(false, `--detach started a supervisor that logs to ${path}.log`),
      (err) => ok(err instanceof Deno.errors.NotFound),
    );
  }
});

// ---------------------------------------------------------------------------------------------
// full disk

/** Fills the file system holding `dir` with one file; returns its path. */
async function fillDisk(dir: string): Promise<string> {
  const path = join(dir, "filler");
  using file = await Deno.open(path, { write: true, create: true });
  const block = new Uint8Array(16 * 1024);
  for (;;) {
    try {
      await file.write(block);
    } catch {
      // ENOSPC, possibly after a partial write: the disk is now full.
      break;
    }
  }
  return path;
}

Deno.test({
  name:
    "on a full disk enqueue and worker start exit 1 with one line, and every job stored before is intact once space is freed",
  ignore: !CAN_MOUNT_TMPFS,
  sanitizeResources: false,
  fn: async () => {
    await using db = await tempDb();
    const mnt = join(db.dir, "mnt");
    await Deno.mkdir(mnt);
    ok(tool("mount", ["-t", "tmpfs", "-o", "size=1m,mode=0700", "tmpfs", mnt]), "mount tmpfs");
    const env = { QUEUECTL_DB: join(mnt, "queue.kv") };
    let kv: Deno.Kv | null = null;
    try {
      const ids = ["keep1", "keep2", "keep3"];
      for (const id of ids) await cliOk(db, ["enqueue", "--id", id, "--command", "true"], { env });

      // 1. Full while nobody has the database open: SQLite cannot even make its -shm file.
      let filler = await fillDisk(mnt);
      const closed = await Promise.all([
        cliWithin(db, ["enqueue", "--command", "true"], PROMPTLY_MS, env),
        cliWithin(db, ["worker", "start", "--count", "2"], PROMPTLY_MS, env),
      ]);
      for (const r of closed) {
        ok(!r.timedOut, `still running after ${PROMPTLY_MS} ms:\n${r.stderr}`);
        assertOneLineError(r, 1, /cannot open database .*queue\.kv: /);
      }
      await Deno.remove(filler);

      // 2. Full while the database is open elsewhere (as with running workers): the write fails.
      kv = await Deno.openKv(env.QUEUECTL_DB);
      await kv.get(["config", "max_retries"]);
      filler = await fillDisk(mnt);
      const big = Array.from(
        { length: 100 },
        (_, i) => JSON.stringify({ id: `big${i}`, command: `echo ${"x".repeat(1500)}` }),
      );
      const r = await cli(db, ["enqueue", "--file", "-"], { stdin: big.join("\n"), env });
      assertOneLineError(r, 1, /disk is full/);
      kv.close();
      kv = null;
      await Deno.remove(filler);

      // Space again: the jobs stored before are all there, nothing half-written, and it works.
      const list = JSON.parse(await cliOk(db, ["list", "--json"], { env }));
      deepStrictEqual(list.map((j: { id: string; state: string }) => [j.id, j.state]), [
        ["keep1", "pending"],
        ["keep2", "pending"],
        ["keep3", "pending"],
      ]);
      const doctor = await cli(db, ["doctor"], { env });
      equal(doctor.code, 0, doctor.stdout + doctor.stderr);
      await cliOk(db, ["enqueue", "--id", "after", "--command", "true"], { env });
    } finally {
      kv?.close();
      if (!tool("umount", [mnt])) tool("umount", ["-l", mnt]);
    }
  },
});

Deno.test({
  name:
    "a worker whose result write fails on a full disk neither hangs nor loses the job: once space is freed the job completes",
  ignore: !CAN_MOUNT_TMPFS,
  sanitizeResources: false,
  fn: async () => {
    await using db = await tempDb();
    const mnt = join(db.dir, "mnt");
    await Deno.mkdir(mnt);
    ok(tool("mount", ["-t", "tmpfs", "-o", "size=1m,mode=0700", "tmpfs", mnt]), "mount tmpfs");
    const env = { QUEUECTL_DB: join(mnt, "queue.kv") };
    const flag = join(db.dir, "release");
    const fdb = { ...db, env: { ...db.env, ...env } };
    let workers: ReturnType<typeof startWorkers> | null = null;
    try {
      // Fast leases, so a worker that dies is recovered within seconds.
      await cliOk(fdb, ["config", "set", "heartbeat_ms", "500"]);
      await cliOk(fdb, ["config", "set", "lease_ms", "2000"]);
      await cliOk(fdb, ["config", "set", "backoff_base", "1"]);
      // The job waits for the test to say so, then succeeds on its next attempt too.
      const command = `while [ ! -e '${flag}' ]; do sleep 0.05; done`;
      await cliOk(fdb, ["enqueue", "--id", "slow", "--command", command]);
      workers = startWorkers(fdb, 1);
      await waitForJob(fdb, "slow", (j) => j.state === "processing");
      const filler = await fillDisk(mnt);
      await Deno.writeFile(flag, new Uint8Array()); // The job ends while the disk is full.
      await waitFor(() => workers!.log().includes("disk is full"), {
        what: "the worker to meet the full disk",
      });
      await Deno.remove(filler);
      const job = await waitForJob(fdb, "slow", (j) => j.state === "completed", {
        timeoutMs: 30_000,
      });
      ok(job.history.at(-1)?.outcome === "succeeded", JSON.stringify(job.history));
    } finally {
      await workers?.stop();
      if (!tool("umount", [mnt])) tool("umount", ["-l", mnt]);
    }
  },
});

// ---------------------------------------------------------------------------------------------
// the job's environment and output

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
        "output past output_limit is stored cut at the limit and the attempt records its full size and truncated: true",
        async () => {
          const job = await waitForJob(db, "big", (j) => j.state === "completed");
          deepStrictEqual(job.history[0]!.output, {
            stdout_bytes: 5000,
            stderr_bytes: 0,
            truncated: true,
          });
          let all = "";
          for (let i = 0; i < 500; i++) all += `${String(i).padStart(9, "0")}\n`;
          const expected = new TextEncoder().encode(all).subarray(0, 1024);
          const out = await cliBytes(db, ["logs", "big"]);
          equal(out.code, 0);
          equal(out.stdout.byteLength, 1024);
          deepStrictEqual(out.stdout, expected);
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
