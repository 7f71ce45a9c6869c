import assert from "node:assert/strict";
import { UsageError } from "./errors.ts";
import { JOB_SPEC_FIELDS, parseJobSpec, parseJobSpecJson } from "./spec.ts";
import { MAX_COMMAND_BYTES } from "./spec_command.ts";

const NOW = 1_795_428_000_000; // 2026-11-23T10:00:00Z
const opts = { now: NOW };

function rejects(input: unknown, message: string | RegExp): void {
  assert.throws(() => parseJobSpec(input, opts), (error: unknown) => {
    assert.ok(error instanceof UsageError, String(error));
    if (typeof message === "string") assert.equal(error.message, message);
    else assert.match(error.message, message);
    assert.ok(!error.message.includes("\n"), "message must be one line");
    return true;
  });
}

Deno.test("parseJobSpec fills defaults for a command-only spec", () => {
  assert.deepEqual(parseJobSpec({ command: "echo hi" }, opts), {
    command: "echo hi",
    priority: 0,
    timeout: null,
  });
});

Deno.test("parseJobSpec accepts every field", () => {
  assert.deepEqual(
    parseJobSpec({
      id: "job-1",
      command: "sleep 2",
      max_retries: 5,
      priority: -10,
      run_at: "2026-11-24T10:00:00Z",
      timeout: "30s",
    }, opts),
    {
      id: "job-1",
      command: "sleep 2",
      max_retries: 5,
      priority: -10,
      run_at: NOW + 86_400_000,
      timeout: 30_000,
    },
  );
});

Deno.test("parseJobSpec treats null optional fields as absent", () => {
  assert.deepEqual(
    parseJobSpec({
      command: "x",
      id: null,
      max_retries: null,
      priority: null,
      run_at: null,
      delay: null,
      timeout: null,
    }, opts),
    { command: "x", priority: 0, timeout: null },
  );
  const both = parseJobSpec({ command: "x", run_at: null, delay: "1s" }, opts);
  assert.equal(both.run_at, NOW + 1_000);
});

Deno.test("parseJobSpec keeps the command exactly as given", () => {
  assert.equal(parseJobSpec({ command: "  echo 'a  b'\n" }, opts).command, "  echo 'a  b'\n");
  assert.equal(parseJobSpec({ command: "echo héllo ✓" }, opts).command, "echo héllo ✓");
});

Deno.test("parseJobSpec needs a non-empty command", () => {
  for (const input of [{}, { command: "" }, { command: "  \n\t" }, { command: null }]) {
    rejects(input, 'job spec needs a non-empty "command"');
  }
});

Deno.test("parseJobSpec rejects a command that is not a string", () => {
  rejects({ command: 42 }, "command must be a string, got 42");
  rejects({ command: ["echo", "hi"] }, 'command must be a string, got ["echo","hi"]');
});

Deno.test("parseJobSpec rejects a command with a NUL byte", () => {
  rejects({ command: "echo a\0b" }, 'command must not contain a NUL byte, got "echo a\\u0000b"');
});

Deno.test("parseJobSpec refuses a command with a lone surrogate, which no UTF-8 can carry to sh", () => {
  rejects(
    { command: "echo \ud800" },
    "command must be valid Unicode, got a lone surrogate \\ud800 at character 5",
  );
  rejects({ command: "a\udc00b" }, /lone surrogate \\udc00 at character 1$/);
  // A JSON escape is how one arrives from a file or the web API.
  rejects(JSON.parse('{"command":"x\\ud83d"}'), /lone surrogate \\ud83d at character 1$/);
  assert.equal(parseJobSpec({ command: "echo 🎉 \ufffd" }, opts).command, "echo 🎉 \ufffd");
});

Deno.test("parseJobSpec limits the command to 32 KiB of UTF-8", () => {
  assert.equal(MAX_COMMAND_BYTES, 32_768);
  const fits = "x".repeat(MAX_COMMAND_BYTES);
  assert.equal(parseJobSpec({ command: fits }, opts).command, fits);
  rejects({ command: fits + "x" }, /^command must be at most 32768 bytes, got 32769 bytes/);
  // 16385 two-byte characters are under 32768 characters but over 32768 bytes.
  rejects({ command: "é".repeat(16_385) }, /got 32770 bytes/);
});

Deno.test("parseJobSpec checks the id with assertJobId", () => {
  assert.equal(parseJobSpec({ command: "x", id: "a.b_c:d-1" }, opts).id, "a.b_c:d-1");
  rejects(
    { command: "x", id: "has space" },
    'job id must be 1-128 characters of A-Z a-z 0-9 . _ : -, got "has space"',
  );
  rejects({ command: "x", id: 7 }, /^job id must be .*, got 7$/);
  rejects({ command: "x", id: "" }, /^job id must be .*, got ""$/);
});

Deno.test("parseJobSpec accepts max_retries 0 to 100 and leaves it unset when absent", () => {
  assert.equal(parseJobSpec({ command: "x", max_retries: 0 }, opts).max_retries, 0);
  assert.equal(parseJobSpec({ command: "x", max_retries: 100 }, opts).max_retries, 100);
  assert.equal("max_retries" in parseJobSpec({ command: "x" }, opts), false);
});

Deno.test("parseJobSpec rejects max_retries outside 0 to 100 or not an integer", () => {
  for (const bad of [-1, 101, 1.5, "3", true]) {
    rejects(
      { command: "x", max_retries: bad },
      /^max_retries must be an integer from 0 to 100, got /,
    );
  }
  rejects(
    { command: "x", max_retries: "3" },
    'max_retries must be an integer from 0 to 100, got "3"',
  );
});

Deno.test("parseJobSpec accepts priority -1000 to 1000", () => {
  assert.equal(parseJobSpec({ command: "x", priority: -1000 }, opts).priority, -1000);
  assert.equal(parseJobSpec({ command: "x", priority: 1000 }, opts).priority, 1000);
});

Deno.test("parseJobSpec rejects priority outside -1000 to 1000", () => {
  rejects(
    { command: "x", priority: 5000 },
    "priority must be an integer from -1000 to 1000, got 5000",
  );
  for (const bad of [-1001, 0.5, "high", NaN]) {
    rejects(
      { command: "x", priority: bad },
      /^priority must be an integer from -1000 to 1000, got /,
    );
  }
});

Deno.test("parseJobSpec reads run_at as an ISO 8601 date and time", () => {
  const at = (run_at: string) => parseJobSpec({ command: "x", run_at }, opts).run_at;
  assert.equal(at("2026-11-23T10:00:00Z"), NOW);
  assert.equal(at("2026-11-23T10:00:00.250Z"), NOW + 250);
  assert.equal(at("2026-11-23T12:00:00+02:00"), NOW);
  assert.equal(at("2026-11-23T10:00Z"), NOW);
  assert.equal(at("2020-01-01T00:00:00Z"), Date.UTC(2020, 0, 1)); // in the past: runs at once
  assert.equal(at("2028-02-29T00:00:00Z"), Date.UTC(2028, 1, 29));
});

Deno.test("parseJobSpec reads run_at without a zone as local time", () => {
  assert.equal(
    parseJobSpec({ command: "x", run_at: "2026-11-23T10:00:00" }, opts).run_at,
    new Date(2026, 10, 23, 10, 0, 0).getTime(),
  );
  assert.equal(
    parseJobSpec({ command: "x", run_at: "2026-11-23 10:00" }, opts).run_at,
    new Date(2026, 10, 23, 10, 0).getTime(),
  );
});

Deno.test("parseJobSpec rejects run_at that is not a valid ISO date and time", () => {
  const bad = [
    "tomorrow",
    "2026-11-23",
    "23/11/2026 10:00",
    "Nov 23 2026 10:00",
    "2026-02-30T10:00:00Z",
    "2027-02-29T10:00:00Z",
    "2026-13-01T10:00:00Z",
    "2026-11-23T25:00:00Z",
    "2026-11-23T10:00:00Z trailing",
  ];
  for (const run_at of bad) {
    rejects(
      { command: "x", run_at },
      `run_at must be an ISO 8601 date and time like 2026-11-23T10:00:00Z, got ${
        JSON.stringify(run_at)
      }`,
    );
  }
  rejects({ command: "x", run_at: NOW }, /^run_at must be an ISO 8601 .*, got 1795428000000$/);
});

Deno.test("parseJobSpec refuses durations and dates given as empty text or with spaces around them", () => {
  rejects({ command: "x", run_at: "" }, "run_at must not be empty");
  // Date.parse alone would read this one as 10:00 local time.
  rejects({ command: "x", run_at: "2026-11-23 10:00 " }, /^run_at must not have spaces around it/);
  rejects({ command: "x", delay: " 5s" }, 'delay must not have spaces around it, got " 5s"');
  rejects({ command: "x", delay: "" }, "delay must not be empty");
  rejects({ command: "x", timeout: "30\n" }, 'timeout must not have spaces around it, got "30\\n"');
  rejects({ command: "x", timeout: "" }, "timeout must not be empty");
});

Deno.test("parseJobSpec turns delay into run_at from now", () => {
  const at = (delay: unknown) => parseJobSpec({ command: "x", delay }, opts).run_at;
  assert.equal(at("5m"), NOW + 300_000);
  assert.equal(at("1h30m"), NOW + 5_400_000);
  assert.equal(at(30), NOW + 30_000);
  assert.equal(at("30"), NOW + 30_000);
  assert.equal(at(0), NOW);
  assert.equal(at(1.5), NOW + 1_500);
  assert.equal(at("3650d"), NOW + 3650 * 86_400_000);
});

Deno.test("parseJobSpec rejects a bad delay", () => {
  for (const delay of ["soon", -5, "-5s", "3651d", true, {}, Infinity]) {
    rejects(
      { command: "x", delay },
      /^delay must be a duration up to 3650d like 30s or 5m, or a number of seconds, got /,
    );
  }
  rejects({ command: "x", delay: "soon" }, /got "soon"$/);
});

Deno.test("parseJobSpec rejects both run_at and delay", () => {
  rejects(
    { command: "x", run_at: "2026-11-24T10:00:00Z", delay: "5m" },
    'job spec takes run_at or delay, not both, got run_at "2026-11-24T10:00:00Z" and delay "5m"',
  );
});

Deno.test("parseJobSpec reads timeout as a duration or seconds, 0 and null meaning no limit", () => {
  const timeout = (value: unknown) => parseJobSpec({ command: "x", timeout: value }, opts).timeout;
  assert.equal(timeout("30s"), 30_000);
  assert.equal(timeout("100ms"), 100);
  assert.equal(timeout("1h30m"), 5_400_000);
  assert.equal(timeout(90), 90_000);
  assert.equal(timeout("90"), 90_000);
  assert.equal(timeout(0.5), 500);
  assert.equal(timeout("30d"), 30 * 86_400_000);
  assert.equal(timeout(0), null);
  assert.equal(timeout("0s"), null);
  assert.equal(timeout(null), null);
  assert.equal(timeout(undefined), null);
});

Deno.test("parseJobSpec rejects a bad timeout", () => {
  for (const value of ["fast", -1, "50ms", 0.05, "31d", false, [30]]) {
    rejects(
      { command: "x", timeout: value },
      /^timeout must be 0 or null \(no limit\), a duration from 100ms to 30d like 30s, or a number of seconds, got /,
    );
  }
});

Deno.test("parseJobSpec names an unknown field and suggests the close one", () => {
  rejects({ comand: "echo hi" }, 'unknown field "comand" in job spec (did you mean "command"?)');
  rejects({ command: "x", "max-retries": 2 }, /did you mean "max_retries"\?\)$/);
  rejects({ command: "x", runat: "2026-11-24T10:00:00Z" }, /did you mean "run_at"\?\)$/);
});

Deno.test("parseJobSpec names an unknown field without a suggestion when none is close", () => {
  rejects({ command: "x", colour: "blue" }, 'unknown field "colour" in job spec');
});

Deno.test("parseJobSpec requires a JSON object", () => {
  rejects(null, "job spec must be a JSON object, got null");
  rejects([{ command: "x" }], 'job spec must be a JSON object, got [{"command":"x"}]');
  rejects("echo hi", 'job spec must be a JSON object, got "echo hi"');
  rejects(42, "job spec must be a JSON object, got 42");
  rejects(undefined, "job spec must be a JSON object, got undefined");
});

Deno.test("parseJobSpec rejects a non-finite now", () => {
  assert.throws(() => parseJobSpec({ command: "x" }, { now: NaN }), UsageError);
});

Deno.test("JOB_SPEC_FIELDS lists the accepted fields", () => {
  assert.deepEqual(
    [...JOB_SPEC_FIELDS].sort(),
    [
      "after",
      "command",
      "cwd",
      "delay",
      "env",
      "hold",
      "id",
      "labels",
      "max_retries",
      "priority",
      "queue",
      "run_at",
      "timeout",
      "unique_for",
      "unique_key",
    ],
  );
});

Deno.test("after is a non-empty array of job ids, repeats dropped; hold is a boolean", () => {
  const spec = parseJobSpec({ command: "x", after: ["a", "b", "a"], hold: true }, opts);
  assert.deepEqual([spec.after, spec.hold], [["a", "b"], true]);
  for (const after of [[], "a", ["ok", "not ok"], [""]]) {
    assert.throws(() => parseJobSpec({ command: "x", after }, opts), UsageError);
  }
  assert.throws(() => parseJobSpec({ command: "x", hold: "yes" }, opts), UsageError);
});

Deno.test("parseJobSpecJson parses JSON then validates it", () => {
  assert.deepEqual(parseJobSpecJson('{"command":"sleep 1","priority":5,"delay":10}', opts), {
    command: "sleep 1",
    priority: 5,
    run_at: NOW + 10_000,
    timeout: null,
  });
  assert.throws(() => parseJobSpecJson('{"comand":"x"}', opts), /did you mean "command"/);
  assert.throws(() => parseJobSpecJson("[]", opts), {
    message: "job spec must be a JSON object, got []",
  });
});

Deno.test("parseJobSpecJson reports invalid JSON on one line", () => {
  for (const text of ["", "{", "abc", "{'command': 'x'}", '{"command":"x"}\n{"command":"y"}']) {
    assert.throws(() => parseJobSpecJson(text, opts), (error: unknown) => {
      assert.ok(error instanceof UsageError);
      assert.match(error.message, /^invalid job JSON: \S/);
      assert.ok(!error.message.includes("\n"), error.message);
      return true;
    });
  }
});

Deno.test("unique_key is 1-128 characters without control ones; unique_for needs it and ≥ 1s", () => {
  const spec = parseJobSpec({ command: "x", unique_key: "nightly", unique_for: "1h" }, { now: 0 });
  assert.deepEqual([spec.unique_key, spec.unique_for], ["nightly", 3_600_000]);
  for (const bad of ["", "a\nb", "x".repeat(129), 5]) {
    assert.throws(() => parseJobSpec({ command: "x", unique_key: bad }, { now: 0 }), UsageError);
  }
  for (const bad of [0, "0s", "-1s", "999ms", " 5s", "soon"]) {
    assert.throws(
      () => parseJobSpec({ command: "x", unique_key: "k", unique_for: bad }, { now: 0 }),
      UsageError,
    );
  }
  assert.throws(
    () => parseJobSpec({ command: "x", unique_for: "1h" }, { now: 0 }),
    /needs unique_key/,
  );
});
