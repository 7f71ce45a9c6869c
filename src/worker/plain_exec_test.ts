/**
 * The no-shell fast path side by side with `sh -c`: each command runs both ways and must end the
 * same way, with the same output, the same exit code or signal and the same error text.
 *
 * @module
 */
import assert from "node:assert/strict";
import { runCommand, type RunOptions, type RunResult } from "./run_command.ts";
import { sessionSpawner } from "./spawn_session.ts";

const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

async function withTempDir(fn: (dir: string) => Promise<void>) {
  const dir = await Deno.realPath(await Deno.makeTempDir({ prefix: "plain_exec_test_" }));
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

async function script(path: string, body: string, mode = 0o755) {
  await Deno.mkdir(path.slice(0, path.lastIndexOf("/")), { recursive: true });
  await Deno.writeTextFile(path, body);
  await Deno.chmod(path, mode);
}

/** What must be equal between the two ways of running a command. */
function seen(r: RunResult) {
  return {
    exitCode: r.exitCode,
    signal: r.signal,
    error: r.error,
    timedOut: r.timedOut,
    aborted: r.aborted,
    stdout: text(r.stdout),
    stderr: text(r.stderr),
  };
}

/**
 * Runs `command` through the shell and then directly; returns both, already compared (stdout
 * line by line in any order with `anyOrder`: dash lists its environment in its own order).
 */
async function both(command: string, options: RunOptions = {}, anyOrder = false) {
  const shell = await runCommand(command, { ...options, plain: false });
  const plain = await runCommand(command, { ...options, plain: true });
  const view = (r: RunResult) => {
    const v = seen(r);
    return anyOrder ? { ...v, stdout: v.stdout.split("\n").sort().join("\n") } : v;
  };
  assert.deepEqual(view(plain), view(shell), command);
  return { shell, plain };
}

// Prints the pid of its parent: the worker (this test) when run directly, the shell otherwise.
const PARENT = '#!/bin/sh\necho "$PPID"\n';
const fastPathHere = sessionSpawner() !== null;

Deno.test({
  name: "a plain command runs without a shell: its program is the worker's own child",
  ignore: !fastPathHere,
  fn: async () => {
    await withTempDir(async (dir) => {
      await script(`${dir}/parent`, PARENT);
      const plain = await runCommand(`${dir}/parent`, { plain: true });
      assert.equal(text(plain.stdout).trim(), String(Deno.pid));
      const shell = await runCommand(`${dir}/parent`, { plain: false });
      assert.equal(
        text(shell.stdout).trim(),
        String(shell.pid),
        "under sh -c, the shell is the parent",
      );
      const quoted = await runCommand(`'${dir}/parent'`, { plain: true });
      assert.equal(
        text(quoted.stdout).trim(),
        String(quoted.pid),
        "shell syntax still gets a shell",
      );
    });
  },
});

Deno.test("exit 0 and exit 3 with output on both streams end the same with and without sh", async () => {
  await withTempDir(async (dir) => {
    await script(`${dir}/ok`, '#!/bin/sh\necho "out $1 $2"\necho err >&2\n');
    await script(`${dir}/three`, "#!/bin/sh\necho partial\nexit 3\n");
    const ok = await both(`${dir}/ok a  b`);
    assert.equal(ok.plain.exitCode, 0);
    assert.equal(text(ok.plain.stdout), "out a b\n");
    assert.equal(text(ok.plain.stderr), "err\n");
    const three = await both(`${dir}/three`);
    assert.equal(three.plain.error, "exit code 3");
    await both("/bin/true");
    assert.equal((await both("/bin/false")).plain.exitCode, 1);
  });
});

Deno.test("a missing command exits 127 with the shell's own message, both ways", async () => {
  const { plain } = await both("no-such-program-queuectl a b");
  assert.equal(plain.exitCode, 127);
  assert.equal(text(plain.stderr), "sh: 1: no-such-program-queuectl: not found\n");
  await both("/no/such/dir/program");
});

Deno.test("a file that may not be executed ends as in the shell: 126 by path, 127 on PATH, same message", async () => {
  await withTempDir(async (dir) => {
    await script(`${dir}/noexec`, "#!/bin/sh\necho ran\n", 0o644);
    await script(`${dir}/bin/tool`, "#!/bin/sh\necho ran\n", 0o644);
    const byPath = await both(`${dir}/noexec`);
    assert.equal(byPath.plain.exitCode, 126);
    assert.equal(text(byPath.plain.stderr), `sh: 1: ${dir}/noexec: Permission denied\n`);
    // Found on PATH but not executable: dash says "Permission denied" and exits 127.
    const onPath = await both("tool", { env: { PATH: `${dir}/bin` } });
    assert.equal(onPath.plain.exitCode, 127);
    assert.equal(text(onPath.plain.stderr), "sh: 1: tool: Permission denied\n");
    assert.equal((await both(dir)).plain.exitCode, 126, "a folder");
  });
});

Deno.test("a script without #! runs through sh both ways, as dash runs it", async () => {
  await withTempDir(async (dir) => {
    await script(`${dir}/bare`, "echo bare $1\nexit 4\n");
    const { plain } = await both(`${dir}/bare x`);
    assert.equal(text(plain.stdout), "bare x\n");
    assert.equal(plain.exitCode, 4);
  });
});

Deno.test("a relative path starts at the job's cwd, and the job's PATH is searched in order", async () => {
  await withTempDir(async (dir) => {
    await script(`${dir}/sub/run`, "#!/bin/sh\necho run in $(pwd)\n");
    const rel = await both("./run", { cwd: `${dir}/sub` });
    assert.equal(text(rel.plain.stdout), `run in ${dir}/sub\n`);
    await script(`${dir}/a/tool`, "#!/bin/sh\necho a\n", 0o644);
    await script(`${dir}/b/tool`, "#!/bin/sh\necho b\n");
    await script(`${dir}/c/tool`, "#!/bin/sh\necho c\n");
    const env = { PATH: `${dir}/a:${dir}/b:${dir}/c:/usr/bin:/bin` };
    assert.equal(text((await both("tool", { env })).plain.stdout), "b\n");
    // An empty PATH entry is the job's folder.
    const here = await both("run", { cwd: `${dir}/sub`, env: { PATH: ":/usr/bin:/bin" } });
    assert.equal(text(here.plain.stdout), `run in ${dir}/sub\n`);
  });
});

Deno.test("the program sees the environment sh would pass: same variables, PWD, run marks", async () => {
  await withTempDir(async (dir) => {
    const env = {
      QUEUECTL_WORKER_ID: "h:1:ab",
      QUEUECTL_JOB_ID: "j",
      QUEUECTL_RUN: "2",
      "BAD-NAME": "x",
      PWD: "/somewhere/else",
    };
    const { plain } = await both("/usr/bin/env", { env, cwd: dir }, true);
    const lines = text(plain.stdout).split("\n");
    assert.ok(lines.includes(`PWD=${dir}`));
    assert.ok(lines.includes("QUEUECTL_JOB_ID=j"));
    assert.ok(!lines.some((l) => l.startsWith("BAD-NAME=")));
  });
});

Deno.test("a timeout kills the program's group and reports the same signal both ways", async () => {
  const { plain } = await both("sleep 30", { timeoutMs: 200 });
  assert.equal(plain.timedOut, true);
  assert.equal(plain.signal, "SIGTERM");
  assert.equal(plain.error, "timed out after 200ms");
});

Deno.test("a cancel kills the program's group and reports the same signal both ways", async () => {
  const run = async (plain: boolean) => {
    const abort = new AbortController();
    return await runCommand("sleep 30", {
      plain,
      signal: abort.signal,
      onSpawn: () => abort.abort("stop"),
    });
  };
  const [shell, plain] = [await run(false), await run(true)];
  assert.deepEqual(seen(plain), seen(shell));
  assert.equal(plain.signal, "SIGTERM");
  assert.equal(plain.error, "canceled: stop");
});

Deno.test({
  name:
    "on a timeout a program that handles SIGTERM gets the kill grace without a shell; under sh -c it is killed at once",
  ignore: !fastPathHere,
  fn: async () => {
    await withTempDir(async (dir) => {
      // Under sh -c the TERM kills the shell, and the group is then killed with it: the handler
      // never finishes. Run directly, the program is the one that ends, in its own time.
      await script(
        `${dir}/trap`,
        "#!/bin/sh\ntrap 'echo cleaned; exit 5' TERM\necho started\nwhile :; do sleep 0.05; done\n",
      );
      const options = { timeoutMs: 300, killGraceMs: 5000 };
      const shell = await runCommand(`${dir}/trap`, { ...options, plain: false });
      const plain = await runCommand(`${dir}/trap`, { ...options, plain: true });
      assert.equal(text(plain.stdout), "started\ncleaned\n");
      assert.deepEqual([plain.exitCode, plain.signal, plain.timedOut], [5, null, true]);
      assert.equal(plain.error, "timed out after 300ms");
      assert.deepEqual([shell.exitCode, shell.signal, shell.error], [null, "SIGTERM", plain.error]);
    });
  },
});
