/**
 * The database through the real CLI: `--db` and `QUEUECTL_DB` choose it, its folder and file are
 * created private, and one that cannot be opened (a path under a file, a folder, a corrupt file,
 * an unreachable remote) exits 1 with one line on stderr, never a stack trace.
 */
import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { join } from "node:path";
import { assertOneLineError, cli, type CliResult, tempDb } from "./helpers.ts";
import { type Case, expectRejected } from "./cli_rejects.ts";

Deno.test("--db under a regular file or at a directory exits 1 with one clear line", async () => {
  await using db = await tempDb();
  const file = join(db.dir, "file.txt");
  await Deno.writeTextFile(file, "not a folder\n");
  const folder = join(db.dir, "a-folder");
  await Deno.mkdir(folder);
  const underFile = join(file, "q.kv");
  const cases: Case[] = [];
  for (const args of [["status"], ["enqueue", "--command", "true"], ["list", "--json"]]) {
    cases.push({ args: ["--db", underFile, ...args], pattern: /cannot create database folder/ });
    cases.push({ args: ["--db", folder, ...args], pattern: /cannot open database .*folder/ });
  }
  await expectRejected(db, cases, 1);
  assertEquals(await Deno.readTextFile(file), "not a folder\n");
  assertEquals([...Deno.readDirSync(folder)], []);
});

Deno.test("a corrupt database file exits 1 with one clear line, no stack trace, and is left as it was", async () => {
  await using db = await tempDb();
  const bytes = crypto.getRandomValues(new Uint8Array(16_384));
  bytes.set(new TextEncoder().encode("definitely not SQLite"));
  await Deno.writeFile(db.path, bytes);
  await expectRejected(db, [
    { args: ["status"], pattern: /cannot open database .*: file is not a database/ },
    { args: ["status", "--json"], pattern: /cannot open database/ },
    { args: ["enqueue", "--command", "true"], pattern: /cannot open database/ },
    { args: ["list"], pattern: /cannot open database/ },
    { args: ["config", "show"], pattern: /cannot open database/ },
    { args: ["worker", "start"], pattern: /cannot open database/ },
  ], 1);
  assertEquals(await Deno.readFile(db.path), bytes);
});

Deno.test("an unreachable remote database exits 1 with one clear line", async () => {
  await using db = await tempDb();
  // Port 9 (discard) on loopback: nothing listens, so the connection is refused at once.
  const url = "http://127.0.0.1:9/";
  const env = { DENO_KV_ACCESS_TOKEN: "test-token" };
  const results = await Promise.all([
    cli(db, ["--db", url, "status"], { env }),
    cli(db, ["list"], { env: { ...env, QUEUECTL_DB: url } }),
  ]);
  for (const r of results) {
    assertOneLineError(r, 1, /cannot open database http:\/\/127\.0\.0\.1:9\/: .*refused/i);
  }
});

Deno.test("QUEUECTL_DB is honoured and --db overrides it", async () => {
  await using db = await tempDb();
  const other = join(db.dir, "other", "q.kv");
  const [viaEnv, viaFlag] = await Promise.all([
    cli(db, ["enqueue", "--id", "in-env", "--command", "true"]),
    cli(db, ["--db", other, "enqueue", "--id", "in-flag", "--command", "true"]),
  ]);
  assertEquals([viaEnv.code, viaFlag.code], [0, 0], viaEnv.stderr + viaFlag.stderr);
  const [envList, flagList, flagAfter] = await Promise.all([
    cli(db, ["list", "--json"]),
    cli(db, ["--db", other, "list", "--json"]),
    cli(db, ["list", "--json", "--db", other]),
  ]);
  const ids = (r: CliResult) => JSON.parse(r.stdout).map((j: { id: string }) => j.id);
  assertEquals(ids(envList), ["in-env"]);
  assertEquals(ids(flagList), ["in-flag"]);
  assertEquals(ids(flagAfter), ["in-flag"]);
});

Deno.test("the database folder is created on first use with mode 0700 and the file with mode 0600", async () => {
  await using db = await tempDb();
  const folder = join(db.dir, "fresh", "nested");
  const path = join(folder, "queue.kv");
  const r = await cli(db, ["--db", path, "enqueue", "--command", "true"]);
  assertEquals(r.code, 0, r.stderr);
  assertEquals((await Deno.stat(folder)).mode! & 0o777, 0o700);
  assertEquals((await Deno.stat(join(db.dir, "fresh"))).mode! & 0o777, 0o700);
  assertEquals((await Deno.stat(path)).mode! & 0o777, 0o600);
});
