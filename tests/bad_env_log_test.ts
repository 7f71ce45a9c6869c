/**
 * A hostile environment for the log: a detached supervisor and its workers append to one log
 * file, and that file's disk fills up. Every line in the log stays whole: a line that did not
 * fit is left out, never cut and glued to the next (`worker.crashed superviso2026-…`).
 *
 * The disk is filled on a tiny tmpfs, which needs root (as in CI); where it cannot be mounted
 * the test is ignored rather than faked.
 *
 * @module
 */
import { deepStrictEqual, equal, ok } from "node:assert/strict";
import { join } from "node:path";
import { tempDb } from "./helpers.ts";
import { CAN_MOUNT_TMPFS, mountTmpfs, unmount } from "./bad_env.ts";

const SCRIPT = new URL("./support/log_lines.ts", import.meta.url).pathname;
const LINE =
  /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z warn worker\.crashed supervisor=\d+ slot=1 n=(\d+) pad=x{60} end=yes$/;

Deno.test({
  name:
    "log lines appended to a file whose disk fills up stay whole: the line that did not fit is left out, and the lines after space is freed start on their own line",
  ignore: !CAN_MOUNT_TMPFS,
  fn: async () => {
    await using db = await tempDb();
    const mnt = join(db.dir, "mnt");
    await Deno.mkdir(mnt);
    ok(mountTmpfs(mnt, "16k"), "mount tmpfs");
    try {
      // Two of the four pages taken: the log gets 8 KiB, and its 8 KiB boundary falls mid-line.
      const filler = join(mnt, "filler");
      await Deno.writeFile(filler, new Uint8Array(8192));
      const logPath = join(mnt, "queue.kv.log");
      // As `worker start --detach` does: stderr appends to the log (O_APPEND).
      const child = new Deno.Command("sh", {
        args: [
          "-c",
          'log=$1; shift; exec "$@" 2>>"$log"',
          "sh",
          logPath,
          Deno.execPath(),
          "run",
          "-A",
          "--quiet",
          SCRIPT,
          "200",
          "5",
        ],
        stdin: "piped",
        stdout: "piped",
        stderr: "null",
      }).spawn();
      const out = child.stdout.getReader();
      const ready = new TextDecoder().decode((await out.read()).value);
      equal(ready, "ready\n");
      await Deno.remove(filler);
      const stdin = child.stdin.getWriter();
      await stdin.write(new TextEncoder().encode("go\n"));
      await stdin.close();
      out.releaseLock();
      await child.stdout.cancel();
      equal((await child.status).code, 0);

      const text = await Deno.readTextFile(logPath);
      ok(text.endsWith("\n"), JSON.stringify(text.slice(-120)));
      const lines = text.slice(0, -1).split("\n");
      const broken = lines.filter((l) => !LINE.test(l));
      deepStrictEqual(broken, [], "every line is whole");
      const numbers = lines.map((l) => Number(LINE.exec(l)![1]));
      ok(numbers.length > 5 && numbers.length < 200, `some lines did not fit: ${numbers.length}`);
      deepStrictEqual(numbers.slice(-5), [200, 201, 202, 203, 204], "the lines after space");
    } finally {
      unmount(mnt);
    }
  },
});
