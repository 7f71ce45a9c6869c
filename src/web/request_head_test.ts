import { deepStrictEqual as assertEquals, strictEqual } from "node:assert/strict";
import { headEnd, type HeadError, parseHead, type RequestHead } from "./request_head.ts";

const enc = new TextEncoder();
const TAG = enc.encode("x-gate: s.1\r\n");
const parse = (text: string) => parseHead(enc.encode(text), "x-gate", TAG);
const text = (r: RequestHead | HeadError) =>
  "head" in r ? new TextDecoder().decode(r.head) : `${r.status} ${r.message}`;

Deno.test("headEnd finds the blank line that ends a head, also when it arrives in pieces", () => {
  const whole = enc.encode("GET / HTTP/1.1\r\nHost: a\r\n\r\nbody");
  strictEqual(headEnd(whole, 0), 27);
  strictEqual(headEnd(whole.subarray(0, 26), 0), -1, "no blank line yet");
  strictEqual(headEnd(whole, 23), 27, "resuming just before it");
  strictEqual(headEnd(enc.encode("GET / HTTP/1.1\n\n"), 0), -1, "bare LFs do not end a head");
});

Deno.test("parseHead puts the gate's tag after the request line and drops a forged one", () => {
  const r = parse("POST /x HTTP/1.1\r\nHost: a\r\nX-Gate: forged\r\nContent-Length: 12\r\n\r\n");
  strictEqual(text(r), "POST /x HTTP/1.1\r\nx-gate: s.1\r\nHost: a\r\nContent-Length: 12\r\n\r\n");
  strictEqual((r as RequestHead).bodyLength, 12);
  strictEqual(text(parse("GET / HTTP/1.0\r\n\r\n")), "GET / HTTP/1.0\r\nx-gate: s.1\r\n\r\n");
  strictEqual((parse("GET / HTTP/1.1\r\nHost: a\r\n\r\n") as RequestHead).bodyLength, 0);
  const latin = parseHead(
    Uint8Array.from([...enc.encode("GET / HTTP/1.1\r\nX-A: "), 0xe9, 0x80, 13, 10, 13, 10]),
    "x-gate",
    TAG,
  ) as RequestHead;
  assertEquals([...latin.head.subarray(-6)], [0xe9, 0x80, 13, 10, 13, 10], "bytes kept as sent");
});

Deno.test("parseHead refuses framing Deno's server might read differently", () => {
  const cases: [string, string][] = [
    ["GET / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n", "411 send the body with"],
    ["GET / HTTP/1.1\r\nContent-Length: 1\r\ncontent-length: 1\r\n\r\n", "400 more than one"],
    ["GET / HTTP/1.1\r\nContent-Length: 1, 1\r\n\r\n", '400 bad Content-Length "1, 1"'],
    ["GET / HTTP/1.1\r\nContent-Length: -1\r\n\r\n", "400 bad Content-Length"],
    ["GET / HTTP/1.1\r\nHost: a\nX: b\r\n\r\n", "400 bad request: a line ends without CRLF"],
    ["GET / HTTP/1.1\r\nHost: a\r\n folded\r\n\r\n", "400 bad header line"],
    ["GET / HTTP/1.1\r\nBad Name: a\r\n\r\n", "400 bad header line"],
    ["PRI * HTTP/2.0\r\n\r\n", "400 bad request line"],
    ["GET /\r\n\r\n", "400 bad request line"],
  ];
  for (const [head, expected] of cases) {
    const got = text(parse(head));
    strictEqual(got.slice(0, expected.length), expected, JSON.stringify(head));
  }
});
