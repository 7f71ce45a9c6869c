import { deepStrictEqual as assertEquals, strictEqual } from "node:assert/strict";
import { buildApplication, buildCommand, buildRouteMap, run } from "@stricli/core";
import { ENQUEUE_PARAMETERS, type EnqueueFlags } from "./enqueue_run.ts";
import {
  optional,
  optionalPositional,
  positional,
  repeatable,
  required,
  toggle,
} from "./params.ts";
import { PARSER_CONFIG } from "./parser.ts";
import { scanSimple } from "./simple_args.ts";

/** What the real parser hands the enqueue command for `args`, or null when it refuses them. */
async function parsed(args: string[]): Promise<{ flags: object; json?: string } | null> {
  let seen: { flags: object; json?: string } | null = null;
  const enqueue = buildCommand({
    docs: { brief: "enqueue" },
    parameters: ENQUEUE_PARAMETERS,
    func: (flags: EnqueueFlags, json: string | undefined) => {
      // The parser may list absent options as undefined; the scanner leaves them out.
      const given = Object.entries(flags).filter(([, v]) => v !== undefined);
      seen = { flags: Object.fromEntries(given), ...(json === undefined ? {} : { json }) };
    },
  });
  const app = buildApplication(buildRouteMap({ docs: { brief: "q" }, routes: { enqueue } }), {
    name: "queuectl",
    ...PARSER_CONFIG,
  });
  const process: { exitCode?: number | string | null } & Record<string, unknown> = {
    stdout: { write() {} },
    stderr: { write() {} },
    env: {},
  };
  await run(app, ["enqueue", ...args], { process: process as never });
  return process.exitCode === 0 ? seen : null;
}

const READ = [
  [],
  ["--command", "true"],
  ["--command", "echo hi"],
  ["-c", "true"],
  ["--command", "true", "--json"],
  ["--json", "--command", "true"],
  ['{"command":"echo hi","priority":5}'],
  ['{"command":"echo hi"}', "--priority", "5"],
  ["--priority", "5", '{"command":"echo hi"}'],
  ["--id", "a1", "--command", "true", "--delay", "1h", "--timeout", "5s"],
  ["--run-at", "2030-01-01T00:00:00Z", "--max-retries", "2", "-c", "x --y"],
  ["-p", "3", "-f", "jobs.ndjson"],
  ["--file", "jobs.ndjson", "--json"],
  ["--command", "a=b"],
  ["--command", "echo --not-an-option"],
  ["not json"],
];

Deno.test("scanSimple reads plain enqueue lines exactly as the parser does", async () => {
  for (const args of READ) {
    const scanned = scanSimple(args, ENQUEUE_PARAMETERS);
    strictEqual(scanned === null, false, `scanSimple declined ${JSON.stringify(args)}`);
    const json = scanned!.positionals[0];
    assertEquals(
      { flags: scanned!.flags, ...(json === undefined ? {} : { json }) },
      await parsed(args),
      JSON.stringify(args),
    );
  }
});

const DECLINED = [
  ["--command=true"], // = form
  ["--maxRetries", "2"], // camelCase spelling
  ["--help"],
  ["-h"],
  ["--", "--command"],
  ["--command", "a", "--command", "b"], // repeated: the parser says so
  ["-c", "a", "--command", "b"], // repeated through an alias
  ["--comand", "true"], // unknown: the parser suggests the right one
  ["--command"], // value missing
  ["--command", "--json"], // value looks like an option
  ["--priority", "-5"], // a negative number is the parser's call
  ["--command", ""], // empty word
  [""],
  ["{}", "{}"], // one positional too many
  ["--no-json", "-c", "x"],
  ["-cj"],
];

Deno.test("scanSimple collects a repeatable text option's values in order", () => {
  assertEquals(scanSimple(["-c", "x", "--label", "a=1", "--label", "b=2"], ENQUEUE_PARAMETERS), {
    flags: { command: "x", label: ["a=1", "b=2"] },
    positionals: [],
  });
  assertEquals(
    scanSimple([], { flags: { a: repeatable("a", "a") }, positional: { kind: "tuple" } }),
    { flags: {}, positionals: [] },
  );
});

Deno.test("scanSimple leaves every other line to the parser", () => {
  for (const args of DECLINED) {
    strictEqual(scanSimple(args, ENQUEUE_PARAMETERS), null, JSON.stringify(args));
  }
});

Deno.test("scanSimple gives a repeatable option's values in order", () => {
  const parameters = { flags: { a: repeatable("a", "a") }, positional: { kind: "tuple" } };
  assertEquals(scanSimple(["--a", "x=1", "--a", "y=2"], parameters), {
    flags: { a: ["x=1", "y=2"] },
    positionals: [],
  });
});

Deno.test("scanSimple declines commands whose parameters it cannot read as plain text", () => {
  const tuple = (parameters: object[]) => ({ kind: "tuple", parameters });
  const none = tuple([]);
  strictEqual(scanSimple([], { flags: { a: required("a", "a") }, positional: none }), null);
  strictEqual(
    scanSimple([], { flags: { a: { ...optional("a", "a"), parse: Number } }, positional: none }),
    null,
  );
  strictEqual(
    scanSimple([], { flags: { a: { ...toggle("a"), withNegated: true } }, positional: none }),
    null,
  );
  strictEqual(scanSimple([], { flags: {}, positional: { kind: "array" } }), null);
  // A required positional must be there; an optional one may be left out.
  strictEqual(scanSimple([], { flags: {}, positional: tuple([positional("x", "x")]) }), null);
  assertEquals(scanSimple(["v"], { flags: {}, positional: tuple([positional("x", "x")]) }), {
    flags: {},
    positionals: ["v"],
  });
  assertEquals(
    scanSimple([], { flags: {}, positional: tuple([optionalPositional("x", "x")]) }),
    { flags: {}, positionals: [] },
  );
});
