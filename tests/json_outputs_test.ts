/**
 * The `--json` forms of `config get|set` and `worker start|stop`.
 *
 * @module
 */
import { deepStrictEqual, equal, ok } from "node:assert/strict";
import { cliArgv, cliOk, tempDb } from "./helpers.ts";

Deno.test("config get and set --json print the key and the value in its stored unit", async () => {
  await using db = await tempDb();
  deepStrictEqual(JSON.parse(await cliOk(db, ["config", "set", "backoff-max", "2h", "--json"])), {
    key: "backoff_max",
    value: 7_200_000,
  });
  deepStrictEqual(JSON.parse(await cliOk(db, ["config", "get", "backoff_max", "--json"])), {
    key: "backoff_max",
    value: 7_200_000,
    default: 3_600_000,
  });
});

Deno.test("worker start --detach --json prints its pid, count and log; worker stop --json what it stopped", async () => {
  await using db = await tempDb();
  const started = JSON.parse(
    await cliOk(db, ["worker", "start", "--detach", "-n", "2", "--processes", "2", "--json"]),
  );
  deepStrictEqual([started.count, started.processes], [2, 2]);
  ok(Number.isInteger(started.pid));
  equal(typeof started.log, "string");
  deepStrictEqual(JSON.parse(await cliOk(db, ["worker", "stop", "--json"])), {
    stopped: 2,
    still_finishing: 0,
  });
  deepStrictEqual(JSON.parse(await cliOk(db, ["worker", "stop", "--json"])), {
    stopped: 0,
    still_finishing: 0,
  });
});

Deno.test("worker start --json in the foreground prints one JSON line once started, then only logs", async () => {
  await using db = await tempDb();
  const child = new Deno.Command(Deno.execPath(), {
    args: [...cliArgv(), "worker", "start", "--json"],
    env: db.env,
    stdout: "piped",
    stderr: "null",
  }).spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  while (!text.includes("\n")) {
    const r = await reader.read();
    if (r.done) break;
    text += r.value;
  }
  const line = JSON.parse(text.split("\n")[0]!);
  deepStrictEqual([line.pid, line.count, line.log], [child.pid, 1, null]);
  child.kill("SIGTERM");
  for (;;) if ((await reader.read()).done) break;
  equal((await child.status).success, true);
});
