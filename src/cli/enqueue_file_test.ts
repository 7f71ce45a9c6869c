import { deepStrictEqual as assertEquals, rejects } from "node:assert/strict";
import { UsageError } from "../errors.ts";
import type { JobSpec } from "../spec.ts";
import { checkSpecFile, type CheckSpecFileOptions } from "./enqueue_file.ts";

const NOW = 1_795_428_000_000;

/** Checks `text` as a file's content; returns the specs read back and the ids. */
async function check(
  text: string | Uint8Array,
  options: Partial<CheckSpecFileOptions> = {},
): Promise<{ specs: JobSpec[]; ids: string[] }> {
  const path = await Deno.makeTempFile({ suffix: ".ndjson" });
  try {
    await Deno.writeFile(path, typeof text === "string" ? new TextEncoder().encode(text) : text);
    await using checked = await checkSpecFile(path, { flags: {}, now: NOW, ...options });
    const specs: JobSpec[] = [];
    for await (const group of checked.spool.read()) specs.push(...group);
    return { specs, ids: [...checked.callerIds] };
  } finally {
    await Deno.remove(path);
  }
}

const refused = (message: RegExp) => (error: unknown) =>
  error instanceof UsageError && message.test(error.message) && !error.message.includes("\n");

Deno.test("checkSpecFile reads every spec, skipping blanks and comments, with the flags laid over", async () => {
  const text = '\ufeff{"command":"a"}\r\n\n# note\n  {"command":"b","id":"b1","delay":"5s"}  ';
  assertEquals(await check(text), {
    specs: [
      { command: "a", priority: 0, timeout: null },
      { command: "b", id: "b1", priority: 0, timeout: null, run_at: NOW + 5000 },
    ],
    ids: ["b1"],
  });
  const { specs } = await check('{"command":"a"}\n', { flags: { priority: "7" } });
  assertEquals(specs, [{ command: "a", priority: 7, timeout: null }]);
});

Deno.test("checkSpecFile names the first bad line: spec errors, repeated ids, UTF-8 and length", async () => {
  const good = '{"command":"true"}\n';
  await rejects(check(good + '{"command":"x","priority":5000}\n'), refused(/^line 2: priority/));
  await rejects(
    check('{"command":"a","id":"x"}\n{"command":"b","id":"x"}'),
    refused(/^line 2: duplicate job id "x" in the input$/),
  );
  const bytes = new Uint8Array([...new TextEncoder().encode(good), 0x7b, 0xc0, 0xaf, 0x0a]);
  await rejects(check(bytes), refused(/^line 2: not valid UTF-8: byte 0xc0 at offset 20 /));
  await rejects(check(good + "{".repeat(300_000)), refused(/^line 2 is longer than 262144 bytes/));
  await rejects(check("# only a comment\n\n"), refused(/^no job specs in /));
});

Deno.test("checkSpecFile refuses input past its bounds: bytes, and caller-chosen ids", async () => {
  const lines = Array.from({ length: 20 }, (_, i) => `{"command":"true","id":"j${i}"}`);
  await rejects(
    check(lines.join("\n"), { maxInputBytes: 100 }),
    refused(/the input is longer than 100 bytes/),
  );
  await rejects(
    check(lines.join("\n"), { maxCallerIds: 5 }),
    refused(/^line 6: more than 5 jobs with their own id in one input; split it$/),
  );
  assertEquals((await check(lines.slice(0, 5).join("\n"), { maxCallerIds: 5 })).ids.length, 5);
});

Deno.test("checkSpecFile of a missing file or a folder is one 'cannot read' line", async () => {
  await rejects(
    checkSpecFile("/no/such/file.ndjson", { flags: {}, now: NOW }),
    refused(/^cannot read \/no\/such\/file.ndjson: /),
  );
  const dir = await Deno.makeTempDir();
  try {
    await rejects(checkSpecFile(dir, { flags: {}, now: NOW }), refused(/^cannot read /));
  } finally {
    await Deno.remove(dir);
  }
});
