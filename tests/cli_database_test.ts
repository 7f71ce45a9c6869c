/**
 * The database through the real CLI: `--db` and `QUEUECTL_DB` choose it, a value that names no
 * file is bad usage, only the commands that add something create it (folder and file private),
 * and one that cannot be opened (a path under a file, a folder, a corrupt file, an unreachable
 * remote) exits 1 with one line on stderr, never a stack trace.
 */
import { deepStrictEqual as assertEquals, ok } from "node:assert/strict";
import { join } from "node:path";
import { assertOneLineError, cli, cliOk, type CliResult, tempDb } from "./helpers.ts";
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
    // Reading commands create nothing, so for them there is simply no database there.
    const under = args[0] === "enqueue" ? /cannot create database folder/ : /no database at /;
    cases.push({ args: ["--db", underFile, ...args], pattern: under });
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

Deno.test("a --db or QUEUECTL_DB that names no database file (another scheme, file:, :memory:, an empty value) exits 2 with one line and creates nothing", async () => {
  await using db = await tempDb();
  const cwd = join(db.dir, "cwd");
  await Deno.mkdir(cwd);
  // HOME points into the temp folder, so a fall back to ~/.queuectl would show up there.
  const denoDir = Deno.env.get("DENO_DIR") ?? `${Deno.env.get("HOME")}/.cache/deno`;
  const home = join(db.dir, "home");
  const base = { HOME: home, DENO_DIR: denoDir };
  const enqueue = ["enqueue", "--command", "true"];
  const cases: [string[], Record<string, string>, RegExp][] = [
    [["--db", "ftp://host/x", "status"], {}, /^queuectl: --db must be .*"ftp:\/\/host\/x".*"ftp:"/],
    [["--db", "ftp://host/x", ...enqueue], {}, /scheme "ftp:" is not supported/],
    [["--db", "S3://bucket/q.kv", "config", "set", "max_retries", "1"], {}, /scheme "s3:" is not/],
    [["--db", "file:q.kv", ...enqueue], {}, /scheme "file:" is not supported/],
    [["--db", "file:///tmp/q.kv", "list"], {}, /scheme "file:" is not supported/],
    [["--db", ":memory:", ...enqueue], {}, /":memory:"/],
    [["--db", "", "status"], {}, /--db needs a database path or URL, got ""/],
    [["--db", " ", "list"], {}, /--db needs a database path or URL, got " "/],
    [["status"], { QUEUECTL_DB: "" }, /QUEUECTL_DB needs a database path or URL, got ""/],
    [enqueue, { QUEUECTL_DB: "" }, /QUEUECTL_DB needs a database path or URL/],
    [["list"], { QUEUECTL_DB: "gopher://h/q.kv" }, /QUEUECTL_DB must be .*"gopher:"/],
  ];
  const results = await Promise.all(
    cases.map(([args, env]) => cli(db, args, { cwd, env: { ...base, ...env } })),
  );
  results.forEach((r, i) => assertOneLineError(r, 2, cases[i]![2], JSON.stringify(cases[i]![0])));
  assertEquals([...Deno.readDirSync(cwd)], [], "nothing created in the working folder");
  assertEquals([...Deno.readDirSync(db.dir)].map((e) => e.name), ["cwd"], "no ~/.queuectl");
});

Deno.test("reading commands, and those that change only what exists, on a missing database say so in one line, exit 1, and create no folder and no file", async () => {
  await using db = await tempDb();
  const typo = join(db.dir, "typo", "q.kv");
  const commands = [
    ["status"],
    ["status", "--json"],
    ["list", "--json"],
    ["show", "a1"],
    ["logs", "a1"],
    ["metrics"],
    ["doctor"],
    ["doctor", "--repair"],
    ["worker", "list"],
    ["worker", "stop"],
    ["dlq", "list"],
    ["dlq", "retry", "--all"],
    ["dlq", "purge"],
    ["config", "show"],
    ["config", "get", "max_retries"],
    ["config", "reset"],
    ["cancel", "a1"],
    ["delete", "a1"],
    ["purge", "--state", "completed"],
  ];
  const runs = [
    ...commands.map((args) => ({ path: typo, args })),
    // The folder exists, the file does not.
    ...[["status"], ["worker", "stop"], ["cancel", "a1"]].map((args) => ({ path: db.path, args })),
  ];
  const results = await Promise.all(runs.map(({ path, args }) => cli(db, ["--db", path, ...args])));
  results.forEach((r, i) => {
    const { path, args } = runs[i]!;
    const line = assertOneLineError(r, 1, undefined, args.join(" "));
    assertEquals(line, `queuectl: no database at ${path}`, args.join(" "));
  });
  assertEquals([...Deno.readDirSync(db.dir)], [], "no folder, no database, no WAL or bell file");
});

Deno.test("bad input to a reading command is told before a missing database: exit 2, not 1", async () => {
  await using db = await tempDb();
  const commands = [
    ["list", "--limit", " 5"],
    ["dlq", "list", "--limit", "0"],
    ["logs", "a1", "--attempt", "abc"],
    ["purge", "--state", "bogus"],
    ["config", "get", "bogus"],
    ["worker", "stop", "--timeout", "-1"],
  ];
  const results = await Promise.all(commands.map((args) => cli(db, args)));
  results.forEach((r, i) => assertOneLineError(r, 2, undefined, commands[i]!.join(" ")));
  assertEquals([...Deno.readDirSync(db.dir)], [], "no database was created");
});

Deno.test("the commands that add something still create a missing database: enqueue and config set", async () => {
  await using db = await tempDb();
  const viaConfig = join(db.dir, "a", "q.kv");
  const viaEnqueue = join(db.dir, "b", "q.kv");
  await cliOk(db, ["--db", viaConfig, "config", "set", "max_retries", "5"]);
  await cliOk(db, ["--db", viaEnqueue, "enqueue", "--id", "j1", "--command", "true"]);
  for (const path of [viaConfig, viaEnqueue]) {
    assertEquals((await Deno.stat(join(path, ".."))).mode! & 0o777, 0o700);
    assertEquals((await Deno.stat(path)).mode! & 0o777, 0o600);
  }
  const got = await cliOk(db, ["--db", viaConfig, "config", "get", "max_retries"]);
  ok(got.includes("5"), got);
  const list = JSON.parse(await cliOk(db, ["--db", viaEnqueue, "list", "--json"]));
  assertEquals(list.map((j: { id: string }) => j.id), ["j1"]);
});
