import assert from "node:assert/strict";
import { sessionSpawner } from "./spawn_session.ts";
import { isProcessAlive } from "./process_group.ts";

const linuxGlibc = sessionSpawner() !== null;

Deno.test({
  name: "forty children run at once: a spawn never waits for another child to end",
  ignore: !linuxGlibc,
  fn: async () => {
    // Each running child used to hold three of Deno's 32 blocking-pool threads (two pipe reads
    // and a waitpid), so the eleventh spawn waited until a child ended; a poll per child would
    // make it the thirty-second. One poll now watches them all.
    const spawner = sessionSpawner()!;
    const children = [];
    for (let i = 0; i < 40; i++) {
      const child = await spawner.spawn("/bin/sh", ["sh", "-c", "exec sleep 20"], {});
      // Read as a job's output is, from the start.
      const output = Promise.all([child.stdout, child.stderr].map((s) => new Response(s).text()));
      children.push({ ...child, output });
    }
    try {
      assert.deepEqual(children.map((c) => isProcessAlive(c.pid)), children.map(() => true));
    } finally {
      for (const c of children) spawner.killGroup(c.pid, "SIGKILL");
    }
    for (const c of children) {
      assert.deepEqual(await c.status, { success: false, code: 137, signal: "SIGKILL" });
      assert.deepEqual(await c.output, ["", ""]);
    }
  },
});

Deno.test({
  name: "output of many reads arrives whole and in order on both pipes, with the exit code",
  ignore: !linuxGlibc,
  fn: async () => {
    const spawner = sessionSpawner()!;
    // 400 KB on stdout (several 64 KiB reads), interleaved with lines on stderr.
    const script = 'i=0; while [ $i -lt 4000 ]; do printf "%099d\\n" $i; ' +
      'if [ $((i % 1000)) -eq 0 ]; then echo "e$i" >&2; fi; i=$((i + 1)); done; exit 7';
    const child = await spawner.spawn("/bin/sh", ["sh", "-c", script], {});
    const [out, err, status] = await Promise.all([
      new Response(child.stdout).text(),
      new Response(child.stderr).text(),
      child.status,
    ]);
    const lines = out.split("\n");
    assert.equal(lines.length, 4001);
    assert.ok(lines.slice(0, 4000).every((l, i) => l.length === 99 && Number(l) === i));
    assert.equal(err, "e0\ne1000\ne2000\ne3000\n");
    assert.deepEqual(status, { success: false, code: 7, signal: null });
  },
});

Deno.test({
  name: "the exit is reported while a member of the job still holds its pipe open",
  ignore: !linuxGlibc,
  fn: async () => {
    const spawner = sessionSpawner()!;
    const child = await spawner.spawn("/bin/sh", ["sh", "-c", "sleep 20 & echo started"], {});
    assert.deepEqual(await child.status, { success: true, code: 0, signal: null });
    // The background sleep keeps stdout open: reading it to its end needs the group killed.
    const reader = child.stdout.getReader();
    assert.equal(new TextDecoder().decode((await reader.read()).value), "started\n");
    spawner.killGroup(child.pid, "SIGKILL");
    assert.equal((await reader.read()).done, true);
    await child.stderr.cancel();
  },
});
