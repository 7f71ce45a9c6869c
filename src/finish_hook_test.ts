import { deepStrictEqual as assertEquals, throws } from "node:assert/strict";
import { job } from "../tests/factory.ts";
import {
  expandHookTemplate,
  hookEnv,
  hooksOn,
  parseHookTemplate,
  parseHookUrl,
  retriesAfter,
  shellQuote,
} from "./finish_hook.ts";
import { UsageError } from "./errors.ts";

Deno.test("a template with known placeholders, ${VAR} and brace expansions is accepted as is", () => {
  const t = "echo {id} {state} {exit_code} {queue} {attempts} {duration_ms} ${HOME} {a,b} {}";
  assertEquals(parseHookTemplate(t), t);
  assertEquals(parseHookTemplate(""), "");
});

Deno.test("a template with an unknown placeholder is refused, naming it and the known ones", () => {
  throws(() => parseHookTemplate("echo {job}"), (e: Error) =>
    e instanceof UsageError &&
    e.message.startsWith("on_finish has an unknown placeholder {job} (known: {id}, {state},"));
  throws(() => parseHookTemplate("x".repeat(4097)), UsageError);
});

Deno.test("only http and https URLs are hook URLs", () => {
  assertEquals(parseHookUrl("https://example.com/hook?x=1"), "https://example.com/hook?x=1");
  assertEquals(parseHookUrl(""), "");
  for (const bad of ["ftp://x", "file:///etc/passwd", "example.com/hook", "http//x"]) {
    throws(() => parseHookUrl(bad), /on_finish_url must be an http or https URL/, bad);
  }
});

Deno.test("every substituted value is one shell word, whatever it holds", async () => {
  const evil = job({
    id: "a1",
    command: `echo "$(rm -rf /)"; it's`,
    state: "dead",
    exit_code: 3,
    last_error: "exit code 3",
  });
  const line = expandHookTemplate("printf '%s\\n' {command} {exit_code} {error} {queue}", evil);
  assertEquals(line, `printf '%s\\n' 'echo "$(rm -rf /)"; it'\\''s' '3' 'exit code 3' 'default'`);
  const out = await new Deno.Command("sh", { args: ["-c", line] }).output();
  assertEquals(new TextDecoder().decode(out.stdout).split("\n"), [
    `echo "$(rm -rf /)"; it's`,
    "3",
    "exit code 3",
    "default",
    "",
  ]);
  assertEquals(shellQuote(""), "''");
});

Deno.test("a job that never ran has an empty exit code and duration, in the template and the variables", () => {
  const never = job({ id: "c", state: "canceled", exit_code: null, started_at: null });
  assertEquals(expandHookTemplate("x {exit_code} {duration_ms}", never), "x '' ''");
  const env = hookEnv(never);
  assertEquals(
    [env.QUEUECTL_HOOK_ID, env.QUEUECTL_HOOK_STATE, env.QUEUECTL_HOOK_EXIT_CODE],
    ["c", "canceled", ""],
  );
  assertEquals(Object.keys(env).length, 8);
});

Deno.test("the duration is the last attempt's run time", () => {
  const ran = job({ state: "completed", started_at: 1_000, finished_at: 1_250, exit_code: 0 });
  assertEquals(hookEnv(ran).QUEUECTL_HOOK_DURATION_MS, "250");
});

Deno.test("a URL hook retries on a network error, a timeout or a 5xx, never on a 4xx", () => {
  assertEquals(
    [{ status: 500 }, { status: 502 }, { status: 404 }, { status: 400 }, { error: "x" }].map(
      retriesAfter,
    ),
    [true, true, false, false, true],
  );
});

Deno.test("hooks are on when either hook is configured", () => {
  assertEquals(hooksOn({ on_finish: "", on_finish_url: "" }), false);
  assertEquals(hooksOn({ on_finish: "true", on_finish_url: "" }), true);
});
