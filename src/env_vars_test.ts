import { deepStrictEqual as assertEquals, throws } from "node:assert/strict";
import { checkEnvObject, envText, isEnvName, parseEnvAssignment, shellEnv } from "./env_vars.ts";
import { UsageError } from "./errors.ts";

Deno.test("parseEnvAssignment splits at the first =, keeping empty values and later = signs", () => {
  assertEquals(parseEnvAssignment("A=b=c"), ["A", "b=c"]);
  assertEquals(parseEnvAssignment("_x1="), ["_x1", ""]);
});

Deno.test("parseEnvAssignment refuses text without =, bad names and NUL, never quoting the value", () => {
  for (const text of ["NOEQ", "=v", "1A=v", "A-B=v", "A B=v", "A=\0"]) {
    throws(() => parseEnvAssignment(text), UsageError, text);
  }
  throws(() => parseEnvAssignment("A=s3cret\0"), (e: Error) => !e.message.includes("s3cret"));
  throws(() => parseEnvAssignment("A=\ud800"), /env A must be valid UTF-8/);
});

Deno.test("checkEnvObject takes an object of strings under POSIX names", () => {
  assertEquals(checkEnvObject({ A: "1" }), { A: "1" });
  for (const bad of [null, [], "A=1", { A: 1 }, { "1A": "x" }]) {
    throws(() => checkEnvObject(bad), UsageError, JSON.stringify(bad));
  }
});

Deno.test("envText is the same for equal environments whatever their order, and bounded", () => {
  assertEquals(envText({ B: "2", A: "1" }), envText({ A: "1", B: "2" }));
  throws(() => envText({ A: "x".repeat(200_000) }), /env must be at most 131072 bytes/);
});

Deno.test("shellEnv leaves out what a job cannot be given", () => {
  assertEquals(shellEnv({ OK: "1", "BASH_FUNC_f%%": "() { :; }", BAD: "\ufffd", NUL: "a\0" }), {
    OK: "1",
  });
  assertEquals([isEnvName("_"), isEnvName("")], [true, false]);
});
