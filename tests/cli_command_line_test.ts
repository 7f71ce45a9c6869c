/**
 * The command line itself through the real CLI: `--help` on every command, `--version`, an empty
 * `--db`, and output piped into a reader that stops early.
 */
import { deepStrictEqual as assertEquals, ok } from "node:assert/strict";
import { cli, cliArgv, type CliResult, tempDb } from "./helpers.ts";
import { ok0 } from "./cli_quiet.ts";

Deno.test("--help works on every command and subcommand: exit 0 and its usage on stdout", async () => {
  await using db = await tempDb();
  const commands = [
    [],
    ["enqueue"],
    ["worker"],
    ["worker", "start"],
    ["worker", "stop"],
    ["worker", "list"],
    ["status"],
    ["list"],
    ["show"],
    ["logs"],
    ["dlq"],
    ["dlq", "list"],
    ["dlq", "retry"],
    ["dlq", "purge"],
    ["config"],
    ["config", "show"],
    ["config", "get"],
    ["config", "set"],
    ["config", "reset"],
    ["cancel"],
    ["delete"],
    ["purge"],
    ["doctor"],
    ["demo"],
    ["worker", "run"],
  ];
  const results = await Promise.all(commands.map((c) => cli(db, [...c, "--help"])));
  results.forEach((r: CliResult, i) => {
    const usage = `Usage: queuectl ${commands[i]!.join(" ")}`.trimEnd();
    assertEquals(r.code, 0, `${commands[i]!.join(" ")} --help: ${r.stderr}`);
    ok(r.stdout.startsWith(usage), `${usage}…, got ${r.stdout.slice(0, 80)}`);
    assertEquals(r.stderr, "");
  });
  // `help <command>` is the same as `<command> --help`.
  const help = await cli(db, ["help", "enqueue"]);
  assertEquals([help.code, help.stdout], [0, results[1]!.stdout]);
  // Asking for help never creates the database.
  await Deno.stat(db.path).then(
    () => Promise.reject(new Error("--help created the database")),
    (err) => ok(err instanceof Deno.errors.NotFound),
  );
});

Deno.test("--version and -V print the version from deno.json", async () => {
  await using db = await tempDb();
  const { version } = JSON.parse(
    await Deno.readTextFile(new URL("../deno.json", import.meta.url)),
  );
  const [long, short] = await Promise.all([cli(db, ["--version"]), cli(db, ["-V"])]);
  assertEquals([long.code, long.stdout.trim(), long.stderr], [0, version, ""]);
  assertEquals([short.code, short.stdout.trim()], [0, version]);
});

Deno.test("an empty --db is bad usage (exit 2), not a silent fall back to the default database", async () => {
  await using db = await tempDb();
  // HOME points into the temp folder, so a fall back would show up there; Deno's cache stays.
  const denoDir = Deno.env.get("DENO_DIR") ?? `${Deno.env.get("HOME")}/.cache/deno`;
  const r = await cli(db, ["--db", "", "enqueue", "--command", "true"], {
    env: { HOME: db.dir, DENO_DIR: denoDir },
  });
  assertEquals(r.code, 2, r.stderr);
  assertEquals(r.stderr.trim(), 'queuectl: --db needs a database path or URL, got ""');
  assertEquals([...Deno.readDirSync(db.dir)], []);
});

Deno.test("output piped into a reader that stops early (`list | head`) ends quietly with exit 0", async () => {
  await using db = await tempDb();
  const input = Array.from({ length: 1000 }, (_, i) => `{"command":"echo ${i}"}`).join("\n");
  await ok0(db, ["enqueue", "--file", "-"], input);
  // 1000 jobs of JSON are far more than a pipe buffer: the writer must hit the closed pipe.
  const child = new Deno.Command(Deno.execPath(), {
    args: [...cliArgv(), "list", "--json", "--limit", "1000"],
    env: db.env,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const stderr = new Response(child.stderr).text();
  const reader = child.stdout.getReader();
  const first = await reader.read();
  ok(!first.done && first.value.byteLength > 0);
  await reader.cancel();
  const status = await child.status;
  assertEquals([status.code, await stderr], [0, ""]);
});
