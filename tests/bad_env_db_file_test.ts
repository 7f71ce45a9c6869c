/**
 * A hostile environment for the database file: a database that is read-only, under a folder that
 * cannot be written, corrupt or truncated. Each gives a clear one-line error, never a crash loop
 * and never a lost job.
 *
 * The tests run as root in CI, where permission bits stop nothing; there the database is made
 * read-only with `chattr +i`. Tests whose tool is missing here are ignored rather than faked.
 *
 * @module
 */
import { deepStrictEqual, equal, match, ok } from "node:assert/strict";
import { join } from "node:path";
import {
  assertOneLineError,
  cli,
  cliOk,
  showJob,
  statusCounts,
  tempDb,
  waitForJob,
  workersFor,
  ZERO_COUNTS,
} from "./helpers.ts";
import { CAN_MOUNT_TMPFS, cliWithin, PROMPTLY_MS, ROOT, tool, unmount } from "./bad_env.ts";

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
    "in a read-only database folder the reading commands work, and the writing ones, worker start included, exit 1 at once with one line, losing nothing",
  ignore: !CAN_MAKE_READ_ONLY,
  fn: async () => {
    await using db = await tempDb();
    await cliOk(db, ["enqueue", "--id", "kept", "--command", "true"]);
    const before = await Deno.readFile(db.path);
    const undo = makeReadOnly([db.path, db.dir]);
    try {
      const reads = await Promise.all([
        cliWithin(db, ["status", "--json"], PROMPTLY_MS),
        cliWithin(db, ["show", "kept", "--json"], PROMPTLY_MS),
        cliWithin(db, ["worker", "list"], PROMPTLY_MS),
      ]);
      for (const r of reads) equal(r.code, 0, r.stderr);
      equal(JSON.parse(reads[0]!.stdout).counts.pending, 1);
      equal(JSON.parse(reads[1]!.stdout).state, "pending");
      const writes = await Promise.all([
        cliWithin(db, ["enqueue", "--command", "true"], PROMPTLY_MS),
        cliWithin(db, ["worker", "start", "--count", "2"], PROMPTLY_MS),
        cliWithin(db, ["worker", "start", "--detach"], PROMPTLY_MS),
      ]);
      for (const r of writes) {
        ok(!r.timedOut, `still running after ${PROMPTLY_MS} ms:\n${r.stderr}`);
        assertOneLineError(r, 1, /cannot open database .*queue\.kv: .*opens only for reading/);
      }
      assertOneLineError(
        await cliWithin(db, ["cancel", "kept"], PROMPTLY_MS),
        1,
        /cannot write to database .*queue\.kv: it could only be opened for reading/,
      );
    } finally {
      undo();
    }
    deepStrictEqual(await Deno.readFile(db.path), before);
    deepStrictEqual((await showJob(db, "kept")).state, "pending");
  },
});

Deno.test({
  name:
    "on a read-only mount every reading command works, the writing ones exit 1 with one line, and a writer's newest jobs are seen through a read-only view",
  ignore: !CAN_MOUNT_TMPFS,
  sanitizeResources: false,
  fn: async () => {
    await using db = await tempDb();
    const rw = join(db.dir, "rw");
    const ro = join(db.dir, "ro");
    await Deno.mkdir(rw);
    await Deno.mkdir(ro);
    const rdb = { ...db, env: { ...db.env, QUEUECTL_DB: join(ro, "queue.kv") } };
    const wdb = { ...db, env: { ...db.env, QUEUECTL_DB: join(rw, "queue.kv") } };
    let mounted = false;
    let writer: Deno.Kv | null = null;
    try {
      await cliOk(wdb, ["config", "set", "max_retries", "7"]);
      await cliOk(wdb, ["enqueue", "--id", "done", "--command", "echo hello"]);
      {
        await using _workers = workersFor(wdb, 1);
        await waitForJob(wdb, "done", (j) => j.state === "completed");
      }
      await cliOk(wdb, ["enqueue", "--id", "waiting", "--command", "true"]);
      ok(tool("mount", ["--bind", rw, ro]), "bind mount");
      mounted = true;
      ok(tool("mount", ["-o", "remount,bind,ro", ro]), "remount read-only");
      const files = [...Deno.readDirSync(rw)].map((e) => e.name).sort();

      // 1. Nobody has the database open: no -wal, no -shm, and none can be made here.
      const reads: [string[], (out: string) => void][] = [
        [["status", "--json"], (o) => equal(JSON.parse(o).counts.completed, 1)],
        [["list", "--json"], (o) => equal(JSON.parse(o).length, 2)],
        [["show", "done", "--json"], (o) => equal(JSON.parse(o).history[0].outcome, "succeeded")],
        [["logs", "done"], (o) => equal(o, "hello\n")],
        [["metrics", "--json"], (o) => ok(JSON.parse(o))],
        [["doctor"], (o) => match(o, /checked 2 job\(s\): 0 violation\(s\)/)],
        [["worker", "list"], (o) => equal(o.trim(), "no workers running")],
        [["worker", "stop"], (o) => equal(o.trim(), "no workers running")],
        [["dlq", "list", "--json"], (o) => equal(o.trim(), "[]")],
        [["config", "show"], (o) => match(o, /max_retries +7/)],
        [["config", "get", "max_retries"], (o) => equal(o.trim(), "7")],
      ];
      const results = await Promise.all(reads.map(([args]) => cli(rdb, args)));
      results.forEach((r, i) => {
        equal(r.code, 0, `${reads[i]![0].join(" ")}: ${r.stderr}`);
        reads[i]![1](r.stdout);
      });
      const refused = await Promise.all([
        cli(rdb, ["enqueue", "--command", "true"]),
        cli(rdb, ["config", "set", "max_retries", "1"]),
        cli(rdb, ["cancel", "waiting"]),
        cli(rdb, ["delete", "done"]),
      ]);
      for (const r of refused) assertOneLineError(r, 1, /queue\.kv: .*(read-only|for reading)/);
      deepStrictEqual([...Deno.readDirSync(rw)].map((e) => e.name).sort(), files);

      // 2. A writer has it open on the writable side: readers see its newest commits.
      writer = await Deno.openKv(join(rw, "queue.kv"));
      await writer.get(["config", "max_retries"]);
      await cliOk(wdb, ["enqueue", "--id", "newer", "--command", "true"]);
      const status = JSON.parse(await cliOk(rdb, ["status", "--json"]));
      equal(status.counts.pending, 2);
      equal((await showJob(rdb, "newer")).state, "pending");
    } finally {
      writer?.close();
      if (mounted) unmount(ro);
    }
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
