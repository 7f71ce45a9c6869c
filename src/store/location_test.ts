import { strictEqual, throws } from "node:assert/strict";
import { UsageError } from "../errors.ts";
import { checkLocation, isRemoteLocation } from "./location.ts";

Deno.test("a file path or an http(s) URL is a database location", () => {
  for (const ok of ["/tmp/q.kv", "q.kv", "./data/q.kv", "C:/q.kv", "https://kv.example.com"]) {
    strictEqual(checkLocation(ok, "--db"), ok);
  }
  strictEqual(checkLocation("HTTP://127.0.0.1:4512", "--db"), "HTTP://127.0.0.1:4512");
});

Deno.test("other schemes, file:, :memory: and empty values are refused, naming their source", () => {
  const cases: [string, RegExp][] = [
    [
      "ftp://host/x",
      /^--db must be a file path or an http\(s\):\/\/ URL, got "ftp:\/\/host\/x" \(scheme "ftp:" is not supported\)$/,
    ],
    ["S3://bucket/q.kv", /scheme "s3:"/],
    ["file:q.kv", /scheme "file:"/],
    ["FILE:///tmp/q.kv", /scheme "file:"/],
    [":memory:", /in-memory database/],
    ["", /^--db needs a database path or URL, got ""$/],
    ["  ", /got " {2}"/],
  ];
  for (const [value, pattern] of cases) {
    throws(() => checkLocation(value, "--db"), (e: unknown) => {
      return e instanceof UsageError && pattern.test(e.message);
    }, value);
  }
  throws(() => checkLocation("", "QUEUECTL_DB"), /^UsageError: QUEUECTL_DB needs/);
});

Deno.test("isRemoteLocation is true only for http(s) URLs", () => {
  strictEqual(isRemoteLocation("https://kv.example.com"), true);
  strictEqual(isRemoteLocation("HTTP://127.0.0.1:4512"), true);
  strictEqual(isRemoteLocation("/home/me/.queuectl/queue.kv"), false);
  strictEqual(isRemoteLocation("queue.kv"), false);
});
