/**
 * Framing HTTP/1.x requests on a raw connection, only as far as the gate needs (`conn_gate.ts`): where
 * a request's head ends, how long its body is, and the head rewritten to carry the gate's tag.
 * Deno's HTTP server parses the request again behind the gate, so this parser refuses anything
 * on which the two could disagree about where a request ends (a bare LF, a folded line, two
 * Content-Lengths, Transfer-Encoding) instead of guessing.
 *
 * @module
 */

/** The largest request head accepted; browsers send under 2 KiB, long cookies included. */
export const MAX_HEAD_BYTES = 32 * 1024;

/** A request head that was understood: the head to forward, and its body's length. */
export interface RequestHead {
  /** The head as forwarded: the request line, then `tag`, then the client's other header lines. */
  head: Uint8Array;
  /** The body's length in bytes, from Content-Length (0 without one). */
  bodyLength: number;
}

/** A request head that was refused, with the status and the one line to answer with. */
export interface HeadError {
  /** An HTTP status (400, 411, 431). */
  status: number;
  /** One line for the client. */
  message: string;
}

const CR = 13;
const LF = 10;
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const REQUEST_LINE = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+ [^ ]+ HTTP\/1\.[01]$/;
// latin1 decodes each byte to one UTF-16 unit, so string offsets are byte offsets.
const LATIN1 = new TextDecoder("latin1");

/**
 * The offset just past the blank line that ends the head in `buf`, or -1 (pure). `from` says how
 * far an earlier call already looked, so a head arriving in pieces is scanned once.
 *
 * @example
 * ```ts
 * headEnd(new TextEncoder().encode("GET / HTTP/1.1\r\n\r\nrest"), 0); // 18
 * ```
 */
export function headEnd(buf: Uint8Array, from: number): number {
  for (let i = buf.indexOf(LF, Math.max(from, 3)); i !== -1; i = buf.indexOf(LF, i + 1)) {
    if (buf[i - 1] === CR && buf[i - 2] === LF && buf[i - 3] === CR) return i + 1;
  }
  return -1;
}

/**
 * Parses a head ending in a blank line (pure): drops every header line named `tagName` (the
 * client may not forge the gate's tag) and puts `tagLine` (`name: value\r\n`) after the request
 * line.
 *
 * @example
 * ```ts
 * const head = new TextEncoder().encode("POST /x HTTP/1.1\r\nContent-Length: 2\r\n\r\n");
 * parseHead(head, "x-tag", new TextEncoder().encode("x-tag: 1\r\n")); // { head, bodyLength: 2 }
 * ```
 */
export function parseHead(
  bytes: Uint8Array,
  tagName: string,
  tagLine: Uint8Array,
): RequestHead | HeadError {
  const text = LATIN1.decode(bytes.subarray(0, bytes.length - 4));
  const lines = text.split("\r\n");
  if (/[\r\n]/.test(text.replaceAll("\r\n", ""))) {
    return { status: 400, message: "bad request: a line ends without CRLF" };
  }
  if (!REQUEST_LINE.test(lines[0]!)) {
    return { status: 400, message: "bad request line: expected METHOD target HTTP/1.1" };
  }
  const keep: [number, number][] = [[0, lines[0]!.length + 2]];
  let at = keep[0]![1];
  let length: string | null = null;
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(":");
    const name = line.slice(0, colon).toLowerCase();
    if (colon < 1 || !TOKEN.test(name)) {
      return { status: 400, message: `bad header line ${JSON.stringify(line.slice(0, 40))}` };
    }
    if (name === "transfer-encoding") {
      return { status: 411, message: "send the body with Content-Length, not Transfer-Encoding" };
    }
    if (name === "content-length") {
      if (length !== null) return { status: 400, message: "more than one Content-Length" };
      length = line.slice(colon + 1).trim();
    }
    if (name !== tagName) keep.push([at, at + line.length + 2]);
    at += line.length + 2;
  }
  if (length !== null && !/^\d{1,15}$/.test(length)) {
    return { status: 400, message: `bad Content-Length ${JSON.stringify(length.slice(0, 20))}` };
  }
  const size = keep.reduce((n, [a, b]) => n + b - a, 0) + tagLine.length + 2;
  const head = new Uint8Array(size);
  let out = 0;
  for (const [i, [a, b]] of keep.entries()) {
    head.set(bytes.subarray(a, b), out);
    out += b - a;
    if (i === 0) {
      head.set(tagLine, out);
      out += tagLine.length;
    }
  }
  head.set([CR, LF], out);
  return { head, bodyLength: length === null ? 0 : Number(length) };
}
