/**
 * Bytes that are not UTF-8 reach the CLI in arguments, files and standard input, where a lossy
 * decoder would store a command other than the one given: each is refused, exit 2, one line
 * naming the offset of the first bad byte, nothing written.
 */
import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { join } from "node:path";
import {
  assertOneLineError,
  cli,
  cliArgv,
  type CliResult,
  type TempDb,
  tempDb,
} from "./helpers.ts";
import { assertNothingWritten } from "./cli_rejects.ts";

/**
 * Runs the CLI with `args` and then one more argument made by `printf` from `format` (`\377`
 * is the byte 0xff), as a shell passes bytes that are not UTF-8.
 */
async function cliWithBytes(db: TempDb, args: string[], format: string): Promise<CliResult> {
  const out = await new Deno.Command("sh", {
    args: ["-c", 'exec "$@" "$(printf "$FORMAT")"', "sh", Deno.execPath(), ...cliArgv(), ...args],
    env: { ...db.env, FORMAT: format },
    stdin: "null",
  }).output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

Deno.test("enqueue refuses a command argument that is not UTF-8, naming the byte offset, exit 2", async () => {
  await using db = await tempDb();
  const command = await cliWithBytes(db, ["enqueue", "--command"], "echo \\377\\376");
  assertOneLineError(
    command,
    2,
    /^queuectl: the value of --command is not valid UTF-8: byte 0xff at offset 5$/,
  );
  const env = await cliWithBytes(db, ["enqueue", "true", "--env"], "A=\\377");
  assertOneLineError(
    env,
    2,
    /^queuectl: the value of --env is not valid UTF-8: byte 0xff at offset 2$/,
  );
  const json = await cliWithBytes(db, ["enqueue"], '{"command":"echo \\303("}');
  assertOneLineError(json, 2, /^queuectl: argument 2 is not valid UTF-8: byte 0xc3 at offset 17$/);
  await assertNothingWritten(db);
});

Deno.test("enqueue keeps a U+FFFD typed as such, unchanged", async () => {
  await using db = await tempDb();
  const r = await cli(db, ["enqueue", "--id", "typed", "--command", "echo \ufffd"]);
  assertEquals([r.code, r.stderr], [0, ""]);
  const shown = await cli(db, ["show", "typed", "--json"]);
  assertEquals(JSON.parse(shown.stdout).command, "echo \ufffd");
});

Deno.test("enqueue --file refuses a line that is not UTF-8 with its line and input offset, from a file or stdin", async () => {
  await using db = await tempDb();
  const good = new TextEncoder().encode('{"command":"true"}\n'); // 19 bytes
  const bad = new Uint8Array([...good, ...new TextEncoder().encode('{"command":"echo '), 0xff]);
  const file = join(db.dir, "bad.ndjson");
  await Deno.writeFile(file, new Uint8Array([...bad, 0x22, 0x7d, 0x0a]));
  const fromFile = await cli(db, ["enqueue", "--file", file]);
  const line = /^queuectl: line 2: not valid UTF-8: byte 0xff at offset 36 of the input$/;
  assertOneLineError(fromFile, 2, line);
  const child = new Deno.Command(Deno.execPath(), {
    args: [...cliArgv(), "enqueue", "--file", "-"],
    env: db.env,
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const writer = child.stdin.getWriter();
  await writer.write(bad);
  await writer.close();
  const out = await child.output();
  const dec = new TextDecoder();
  assertOneLineError(
    { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) },
    2,
    line,
  );
  await assertNothingWritten(db);
});
