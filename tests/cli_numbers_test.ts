/**
 * One rule for every number typed on the command line (flags, config values, durations and
 * dates in a spec): empty text and whitespace around it are refused, exit 2, one line, nothing
 * written, where `Number(" 5")` used to read 5.
 */
import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { cli, createDb, tempDb } from "./helpers.ts";
import { assertNothingWritten, expectRejected } from "./cli_rejects.ts";

const SPACES = /must not have spaces around it, got "/;
const EMPTY = /must not be empty$/;

Deno.test("numbers with spaces around them are refused by every flag and config value, exit 2", async () => {
  await using db = await tempDb();
  await createDb(db); // So that reading commands get as far as their flags, and config get answers.
  const enqueue = ["enqueue", "--command", "true"];
  await expectRejected(db, [
    { args: [...enqueue, "--priority", " 5"], pattern: /^queuectl: --priority must not have/ },
    { args: [...enqueue, "--priority", "5 "], pattern: SPACES },
    { args: [...enqueue, "--max-retries", "3 "], pattern: /--max-retries must not have/ },
    { args: [...enqueue, "--delay", " 5s"], pattern: /delay must not have spaces/ },
    { args: [...enqueue, "--timeout", "30s\t"], pattern: /timeout must not have spaces/ },
    { args: [...enqueue, "--run-at", "2030-01-01T00:00:00Z "], pattern: /run_at must not/ },
    { args: ["enqueue", '{"command":"true","delay":" 5s"}'], pattern: /delay must not have/ },
    { args: ["enqueue", '{"command":"true","timeout":"1m "}'], pattern: /timeout must not/ },
    { args: ["list", "--limit", " 5"], pattern: /--limit must not have spaces/ },
    { args: ["dlq", "list", "--limit", "5 "], pattern: /--limit must not have spaces/ },
    { args: ["worker", "start", "--count", " 2"], pattern: /--count must not have spaces/ },
    { args: ["worker", "stop", "--timeout", " 1"], pattern: /--timeout must not have spaces/ },
    { args: ["status", "--watch", "--interval", " 1s"], pattern: /--interval must not have/ },
    {
      args: ["purge", "--state", "dead", "--older-than", "7d "],
      pattern: /--older-than must not have spaces/,
    },
    { args: ["config", "set", "max_retries", " 3"], pattern: /max_retries must not have/ },
    { args: ["config", "set", "lease_ms", "5000 "], pattern: /lease_ms must not have/ },
    { args: ["config", "set", "output_limit", " 1k"], pattern: /output_limit must not have/ },
    { args: ["demo", "--count", " 2"], pattern: /--count must not have spaces/ },
    { args: ["web", "--port", " 8080"], pattern: /--port must not have spaces/ },
    { args: ["web", "--header-timeout", "5s "], pattern: /--header-timeout must not have/ },
    { args: ["web", "--max-client-connections", " 3"], pattern: /--max-client-connections must/ },
  ]);
  await assertNothingWritten(db);
  const retries = await cli(db, ["config", "get", "max_retries"]);
  assertEquals([retries.code, retries.stdout.trim()], [0, "3"]);
});

Deno.test("empty numbers are refused the same way by every flag and config value, exit 2", async () => {
  await using db = await tempDb();
  const enqueue = ["enqueue", "--command", "true"];
  await expectRejected(db, [
    { args: [...enqueue, "--priority", ""], pattern: /--priority must not be empty/ },
    { args: [...enqueue, "--max-retries", ""], pattern: /--max-retries must not be empty/ },
    { args: [...enqueue, "--delay", ""], pattern: /delay must not be empty/ },
    { args: ["list", "--limit", ""], pattern: /--limit must not be empty/ },
    { args: ["worker", "start", "--count", ""], pattern: /--count must not be empty/ },
    { args: ["worker", "stop", "--timeout", ""], pattern: EMPTY },
    { args: ["config", "set", "backoff_base", ""], pattern: /backoff_base must not be empty/ },
    { args: ["demo", "--count", ""], pattern: EMPTY },
    { args: ["web", "--port", ""], pattern: /--port must not be empty/ },
    { args: ["web", "--body-timeout", ""], pattern: /--body-timeout must not be empty/ },
  ]);
  await assertNothingWritten(db);
});

Deno.test("logs --attempt refuses spaces and an empty value before looking at the job's attempts", async () => {
  await using db = await tempDb();
  const r = await cli(db, ["enqueue", "--id", "j", "--command", "true"]);
  assertEquals(r.code, 0, r.stderr);
  await expectRejected(db, [
    { args: ["logs", "j", "--attempt", " 1"], pattern: /--attempt must not have spaces/ },
    { args: ["logs", "j", "--attempt", ""], pattern: /--attempt must not be empty/ },
  ]);
});
