/**
 * A hostile environment with a full disk: enqueue and worker start on a database whose file
 * system is full, and a worker whose write of a job's result fails on it. Each gives a clear
 * one-line error or a job that completes once space is freed, never a hang and never a lost job.
 *
 * The disk is filled on a tiny tmpfs, which needs root (as in CI); where it cannot be mounted
 * the tests are ignored rather than faked.
 *
 * @module
 */
import { deepStrictEqual, equal, ok } from "node:assert/strict";
import { join } from "node:path";
import {
  assertOneLineError,
  cli,
  cliOk,
  startWorkers,
  tempDb,
  waitFor,
  waitForJob,
} from "./helpers.ts";
import { cliWithin, PROMPTLY_MS, ROOT, tool } from "./bad_env.ts";

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
      // Reading needs no new file: it opens the database read-only.
      const status = await cli(db, ["status", "--json"], { env });
      equal(status.code, 0, status.stderr);
      equal(JSON.parse(status.stdout).counts.pending, 3);
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
