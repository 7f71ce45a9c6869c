import assert from "node:assert/strict";
import { isProcessAlive, killProcessGroup } from "./process_group.ts";
import { runCommand } from "./run_command.ts";

const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

/** Polls `cond` until it holds or `timeoutMs` passes; the poll interval never decides a result. */
async function waitFor(cond: () => boolean | Promise<boolean>, what: string, timeoutMs = 3000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Reads a pid the command wrote to `path`, waiting for the write to land. */
async function readPid(path: string): Promise<number> {
  let pid = NaN;
  await waitFor(async () => {
    pid = Number((await Deno.readTextFile(path).catch(() => "")).trim());
    return pid > 0;
  }, `a pid in ${path}`);
  return pid;
}

async function withTempDir(fn: (dir: string) => Promise<void>) {
  const dir = await Deno.makeTempDir({ prefix: "run_command_test_" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

// Commands wait for this file instead of sleeping, so the test decides when they end.
const WAIT_FOR_GO = 'while [ ! -e "$DIR/go" ]; do sleep 0.02; done';

Deno.test("exit 0 captures stdout and stderr separately and reports no error", async () => {
  const r = await runCommand("echo out; echo err >&2");
  assert.equal(r.exitCode, 0);
  assert.equal(r.signal, null);
  assert.equal(r.error, null);
  assert.equal(text(r.stdout), "out\n");
  assert.equal(text(r.stderr), "err\n");
  assert.equal(r.stdoutBytes, 4);
  assert.equal(r.stderrBytes, 4);
  assert.equal(r.timedOut, false);
  assert.equal(r.aborted, false);
  assert.ok(r.pid !== null && r.pid > 1);
  assert.ok(r.durationMs >= 0);
});

Deno.test("a non-zero exit reports the code and 'exit code N'", async () => {
  const r = await runCommand("echo partial; exit 3");
  assert.equal(r.exitCode, 3);
  assert.equal(r.signal, null);
  assert.equal(r.error, "exit code 3");
  assert.equal(text(r.stdout), "partial\n");
});

Deno.test("a shell ended by a signal reports a null exit code and 'killed by SIG...'", async () => {
  const r = await runCommand("kill -USR1 $$");
  assert.equal(r.exitCode, null);
  assert.equal(r.signal, "SIGUSR1");
  assert.equal(r.error, "killed by SIGUSR1");
});

Deno.test("a timeout kills the whole process group, background grandchild included", async () => {
  await withTempDir(async (dir) => {
    const r = await runCommand('sleep 30 & echo $! > "$DIR/gc"; sleep 30', {
      timeoutMs: 200,
      env: { DIR: dir },
    });
    assert.equal(r.timedOut, true);
    assert.equal(r.aborted, false);
    assert.equal(r.exitCode, null);
    assert.equal(r.signal, "SIGTERM");
    assert.equal(r.error, "timed out after 200ms");
    const grandchild = await readPid(`${dir}/gc`);
    await waitFor(() => !isProcessAlive(grandchild), "the grandchild to die");
  });
});

Deno.test("a group that ignores TERM is killed with KILL after killGraceMs", async () => {
  const controller = new AbortController();
  // Abort only once the trap is in place, so TERM is certain to be ignored.
  const r = await runCommand("trap '' TERM; echo ready; sleep 30", {
    signal: controller.signal,
    killGraceMs: 100,
    onOutput: () => controller.abort(),
  });
  assert.equal(r.aborted, true);
  assert.equal(r.signal, "SIGKILL");
  assert.equal(r.error, "canceled");
});

Deno.test("aborting the signal kills the group and reports aborted with the reason", async () => {
  const controller = new AbortController();
  const r = await runCommand("echo started; sleep 30", {
    signal: controller.signal,
    onOutput: () => controller.abort("worker stopping"),
  });
  assert.equal(r.aborted, true);
  assert.equal(r.timedOut, false);
  assert.equal(r.exitCode, null);
  assert.equal(r.signal, "SIGTERM");
  assert.equal(r.error, "canceled: worker stopping");
  assert.ok(r.pid !== null);
  await waitFor(() => !isProcessAlive(r.pid!), "the shell to be gone");
});

Deno.test("an already-aborted signal spawns nothing and reports 'canceled'", async () => {
  const controller = new AbortController();
  controller.abort();
  let spawned = false;
  const r = await runCommand("echo never", {
    signal: controller.signal,
    onSpawn: () => spawned = true,
  });
  assert.equal(spawned, false);
  assert.equal(r.aborted, true);
  assert.equal(r.pid, null);
  assert.equal(r.error, "canceled");
});

Deno.test("a grandchild left running after the shell exits neither hangs the result nor survives", async () => {
  await withTempDir(async (dir) => {
    const started = Date.now();
    // The grandchild inherits stdout, so without the group kill this read would last 30s.
    const r = await runCommand('sleep 30 & echo $! > "$DIR/gc"; echo done', {
      env: { DIR: dir },
    });
    assert.ok(Date.now() - started < 5000, `took ${Date.now() - started}ms`);
    assert.equal(r.exitCode, 0);
    assert.equal(r.error, null);
    assert.equal(text(r.stdout), "done\n");
    const grandchild = await readPid(`${dir}/gc`);
    await waitFor(() => !isProcessAlive(grandchild), "the grandchild to die");
  });
});

// The shell waits until the escapee runs, else the group kill could catch it before setsid.
const WAIT_FOR_ESC = 'while [ ! -s "$DIR/esc" ]; do sleep 0.02; done';

Deno.test("a process that left the group and holds the pipe cannot hang the result", async () => {
  await withTempDir(async (dir) => {
    const started = Date.now();
    const r = await runCommand(
      `setsid sh -c 'echo $$ > "$DIR/esc"; exec sleep 30' & ${WAIT_FOR_ESC}; echo done`,
      {
        env: { DIR: dir },
      },
    );
    assert.ok(Date.now() - started < 5000, `took ${Date.now() - started}ms`);
    assert.equal(r.exitCode, 0);
    assert.equal(text(r.stdout), "done\n");
    // It is out of our group by design, so the test cleans it up itself.
    const escapee = await readPid(`${dir}/esc`);
    killProcessGroup(escapee, "SIGKILL");
    await waitFor(() => !isProcessAlive(escapee), "the escapee to die");
  });
});

Deno.test("output beyond outputLimit is truncated, flagged, and counted in full", async () => {
  const r = await runCommand("head -c 10000 /dev/zero; printf abc >&2", { outputLimit: 100 });
  assert.equal(r.stdout.byteLength, 100);
  assert.equal(r.stdoutBytes, 10_000);
  assert.equal(r.stdoutTruncated, true);
  assert.equal(text(r.stderr), "abc");
  assert.equal(r.stderrTruncated, false);
  // Exactly at the limit is not truncation.
  const exact = await runCommand("printf abc", { outputLimit: 3 });
  assert.equal(text(exact.stdout), "abc");
  assert.equal(exact.stdoutTruncated, false);
});

Deno.test("onOutput delivers the first chunk while the process is still running", async () => {
  await withTempDir(async (dir) => {
    let pid = 0;
    const chunks: string[] = [];
    let aliveAtFirstChunk: boolean | null = null;
    const r = await runCommand(`echo a; ${WAIT_FOR_GO}; echo b`, {
      env: { DIR: dir },
      onSpawn: (p) => pid = p,
      onOutput: (stream, chunk) => {
        assert.equal(stream, "stdout");
        if (chunks.length === 0) {
          aliveAtFirstChunk = isProcessAlive(pid);
          Deno.writeTextFileSync(`${dir}/go`, "");
        }
        chunks.push(text(chunk));
      },
    });
    assert.equal(aliveAtFirstChunk, true);
    assert.equal(chunks[0], "a\n");
    assert.equal(chunks.join(""), "a\nb\n");
    assert.equal(text(r.stdout), "a\nb\n");
  });
});

Deno.test("a missing shell resolves with 'could not start' and a null exit code", async () => {
  const r = await runCommand("echo hi", { shell: "/nonexistent/queuectl-no-shell" });
  assert.equal(r.exitCode, null);
  assert.equal(r.pid, null);
  assert.match(r.error ?? "", /^could not start: \S/);
});

Deno.test("output that is not UTF-8 is kept as the raw bytes", async () => {
  const r = await runCommand("printf '\\377\\376'");
  assert.deepEqual([...r.stdout], [0xff, 0xfe]);
});

Deno.test("env is added to the environment and cwd sets the working directory", async () => {
  await withTempDir(async (dir) => {
    const r = await runCommand('printf "%s %s" "$QX_VALUE" "$(pwd -P)"', {
      env: { QX_VALUE: "it's $HOME; not expanded" },
      cwd: dir,
    });
    assert.equal(text(r.stdout), `it's $HOME; not expanded ${await Deno.realPath(dir)}`);
  });
});

Deno.test("onSpawn's pid is the process-group id of the running command", async () => {
  await withTempDir(async (dir) => {
    const spawned = Promise.withResolvers<number>();
    const running = runCommand(WAIT_FOR_GO, { env: { DIR: dir }, onSpawn: spawned.resolve });
    const pid = await spawned.promise;
    try {
      const ps = await new Deno.Command("ps", { args: ["-o", "pgid=", "-p", String(pid)] })
        .output();
      assert.equal(Number(text(ps.stdout).trim()), pid);
    } finally {
      await Deno.writeTextFile(`${dir}/go`, "");
    }
    const r = await running;
    assert.equal(r.pid, pid);
    assert.equal(r.exitCode, 0);
  });
});

Deno.test("killProcessGroup reports a gone group as undelivered and refuses pgid <= 1", async () => {
  const r = await runCommand("true");
  assert.equal(killProcessGroup(r.pid!, "SIGTERM"), false);
  assert.throws(() => killProcessGroup(1, "SIGTERM"), RangeError);
  assert.throws(() => killProcessGroup(0, "SIGTERM"), RangeError);
  assert.throws(() => killProcessGroup(-5, "SIGTERM"), RangeError);
  assert.equal(isProcessAlive(Deno.pid), true);
  assert.equal(isProcessAlive(0), false);
});

Deno.test("a throwing onOutput kills the group and rejects with that error", async () => {
  const started = Date.now();
  await assert.rejects(
    runCommand("echo x; sleep 30", {
      onOutput: () => {
        throw new Error("sink failed");
      },
    }),
    /sink failed/,
  );
  assert.ok(Date.now() - started < 5000);
});
