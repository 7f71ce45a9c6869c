import { strictEqual } from "node:assert/strict";
import { logsBody, MAX_STREAM_MARKS } from "./logs_body.ts";

const te = new TextEncoder();

Deno.test("logsBody cuts the pieces at the offset and names the streams of what it returns", () => {
  const pieces = [
    { stream: "stdout" as const, data: te.encode("o1\n") },
    { stream: "stderr" as const, data: te.encode("e1\n") },
  ];
  const { body, total, streams } = logsBody(pieces, 4);
  strictEqual(new TextDecoder().decode(body), "1\n");
  strictEqual(total, 6);
  strictEqual(streams, "e2");
  strictEqual(logsBody([{ data: te.encode("x") }], 0).streams, null);
});

Deno.test("logsBody names no streams past MAX_STREAM_MARKS stretches: the header stays small", () => {
  const pieces = Array.from({ length: MAX_STREAM_MARKS + 1 }, (_, i) => ({
    stream: i % 2 ? "stderr" as const : "stdout" as const,
    data: te.encode("x"),
  }));
  strictEqual(logsBody(pieces, 0).streams, null);
  strictEqual(logsBody(pieces, 1).streams?.split(",").length, MAX_STREAM_MARKS);
});
