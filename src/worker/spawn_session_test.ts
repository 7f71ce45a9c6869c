import assert from "node:assert/strict";
import { sessionSpawner } from "./spawn_session.ts";
import { decodeWaitStatus } from "./wait_status.ts";
import { runCommand } from "./run_command.ts";

const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
const linuxGlibc = sessionSpawner() !== null;

Deno.test("decodeWaitStatus reads exit codes and signal deaths as Deno.Command reports them", () => {
  assert.deepEqual(decodeWaitStatus(0), { success: true, code: 0, signal: null });
  assert.deepEqual(decodeWaitStatus(3 << 8), { success: false, code: 3, signal: null });
  assert.deepEqual(decodeWaitStatus(255 << 8), { success: false, code: 255, signal: null });
  assert.deepEqual(decodeWaitStatus(9), { success: false, code: 137, signal: "SIGKILL" });
  assert.deepEqual(decodeWaitStatus(15 | 0x80), { success: false, code: 143, signal: "SIGTERM" });
});

/** Runs `script` under `sh -c` through the spawner and collects what it printed. */
async function spawnSh(script: string, options: { env?: Record<string, string>; cwd?: string }) {
  const child = await sessionSpawner()!.spawn("/bin/sh", ["sh", "-c", script], options);
  const [out, err, status] = await Promise.all([
    new Response(child.stdout).text(),
    new Response(child.stderr).text(),
    child.status,
  ]);
  return { pid: child.pid, out, err, status };
}

Deno.test({
  name: "posix_spawn starts the shell as a session leader with its pipes, env, cwd and exit code",
  ignore: !linuxGlibc,
  fn: async () => {
    const r = await spawnSh(
      // pid, pgid and sid are equal for a session leader.
      'ps -o pid=,pgid=,sid= -p $$; pwd; echo "$X"; read line; echo eof=$? >&2; exit 4',
      { env: { X: "from-env" }, cwd: "/tmp" },
    );
    const [ids, cwd, x] = r.out.trim().split("\n");
    assert.deepEqual(ids!.trim().split(/\s+/).map(Number), [r.pid, r.pid, r.pid]);
    assert.equal(cwd, "/tmp");
    assert.equal(x, "from-env");
    // stdin is /dev/null: the read sees end of file at once.
    assert.equal(r.err.trim(), "eof=1");
    assert.deepEqual(r.status, { success: false, code: 4, signal: null });
  },
});

Deno.test({
  name: "posix_spawn gives the job an empty signal mask and SIGPIPE at its default",
  ignore: !linuxGlibc,
  fn: async () => {
    // exec, not a child of the shell: dash blocks signals around its own forks, so a child
    // reading the shell's mask could catch it mid-fork. exec keeps the mask and what is ignored.
    const r = await spawnSh('exec grep -E "^Sig(Blk|Ign)" /proc/self/status', {});
    const [blocked, ignored] = r.out.trim().split("\n");
    assert.match(blocked!, /^SigBlk:\s+0+$/);
    const ignoredMask = BigInt(`0x${ignored!.split(/\s+/)[1]}`);
    // Bit 12 is signal 13, SIGPIPE, which Deno itself ignores.
    assert.equal(ignoredMask & (1n << 12n), 0n, `SIGPIPE is ignored: ${ignored}`);
  },
});

Deno.test({
  name: "posix_spawn refuses a NUL byte and a missing program with an error, starting nothing",
  ignore: !linuxGlibc,
  fn: async () => {
    const spawner = sessionSpawner()!;
    await assert.rejects(() => spawner.spawn("/bin/sh", ["sh", "-c", "echo a\0b"], {}), /nul byte/);
    await assert.rejects(
      () => spawner.spawn("/bin/sh", ["sh"], { env: { A: "x\0y" } }),
      /nul byte/,
    );
    await assert.rejects(
      () => spawner.spawn("/nonexistent/sh", ["sh", "-c", "true"], {}),
      /No such file or directory/,
    );
  },
});

Deno.test("a command with a NUL byte reports 'could not start' instead of running a prefix", async () => {
  const r = await runCommand("echo ran\0; echo more");
  assert.equal(r.exitCode, null);
  assert.equal(text(r.stdout), "");
  assert.match(r.error!, /^could not start: .*nul byte/);
});

Deno.test({
  name: "the setsid fallback (QUEUECTL_SPAWN=setsid) passes the same run_command tests",
  ignore: !linuxGlibc,
  fn: async () => {
    const test = new URL("./run_command_test.ts", import.meta.url).pathname;
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["test", "-A", "--quiet", test],
      env: { QUEUECTL_SPAWN: "setsid", NO_COLOR: "1" },
      stdout: "piped",
      stderr: "piped",
    }).output();
    const report = text(out.stdout) + text(out.stderr);
    assert.equal(out.code, 0, report);
    assert.match(report, /ok \| \d+ passed \| 0 failed/);
  },
});

Deno.test({
  name: "killGroup signals a live group, reports a gone one as undelivered and refuses pgid <= 1",
  ignore: !linuxGlibc,
  fn: async () => {
    const spawner = sessionSpawner()!;
    const child = await spawner.spawn("/bin/sh", ["sh", "-c", "exec sleep 30"], {});
    assert.equal(spawner.killGroup(child.pid, "SIGTERM"), true);
    assert.deepEqual(await child.status, { success: false, code: 143, signal: "SIGTERM" });
    await Promise.all([child.stdout.cancel(), child.stderr.cancel()]);
    assert.equal(spawner.killGroup(child.pid, "SIGKILL"), false);
    assert.throws(() => spawner.killGroup(1, "SIGKILL"), RangeError);
    assert.throws(() => spawner.killGroup(0, "SIGKILL"), RangeError);
  },
});

Deno.test({
  name: "exists answers with access(2): true for a file or folder, false for a missing path",
  ignore: !linuxGlibc,
  fn: () => {
    const spawner = sessionSpawner()!;
    assert.equal(spawner.exists("/bin/sh"), true);
    assert.equal(spawner.exists("/tmp"), true);
    assert.equal(spawner.exists("/no/such/path"), false);
    assert.equal(spawner.exists("/bin/sh\0x"), false);
  },
});
