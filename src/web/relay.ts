/**
 * One client connection through the gate (`conn_gate.ts`): its bytes are relayed to Deno's HTTP
 * server over a Unix socket, requests framed on the way in (`request_head.ts`) so the gate knows
 * which phase the connection is in, and each head tagged with the connection's id. Responses go
 * back untouched. The gate's sweep closes a relay whose phase has lasted too long.
 *
 * @module
 */
import { concatBytes } from "../bytes.ts";
import type { ConnState } from "./conn_policy.ts";
import { CSP } from "./response.ts";
import { headEnd, type HeadError, MAX_HEAD_BYTES, parseHead } from "./request_head.ts";

const CR = 13;
const LF = 10;
const REASONS: Record<number, string> = {
  400: "Bad Request",
  411: "Length Required",
  431: "Request Header Fields Too Large",
  503: "Service Unavailable",
};

/**
 * A whole HTTP/1.1 answer that closes the connection, for refusals made before Deno's server
 * sees a request (pure).
 *
 * @example
 * ```ts
 * closingAnswer(431, "request head larger than 32768 bytes");
 * ```
 */
export function closingAnswer(status: number, message: string): Uint8Array {
  const enc = new TextEncoder();
  const body = enc.encode(message + "\n");
  const head = enc.encode(
    `HTTP/1.1 ${status} ${REASONS[status] ?? "Error"}\r\n` +
      "Content-Type: text/plain; charset=utf-8\r\n" +
      `Content-Length: ${body.length}\r\nConnection: close\r\n` +
      `Content-Security-Policy: ${CSP}\r\nX-Content-Type-Options: nosniff\r\n\r\n`,
  );
  return concatBytes([head, body]);
}

/**
 * Writes all of `bytes`: `write` may take only part of them.
 *
 * @example
 * ```ts
 * declare const conn: Deno.Conn; // a client's connection, being closed at a cap
 * await writeAll(conn, closingAnswer(503, "too many connections"));
 * ```
 */
export async function writeAll(conn: Deno.Conn, bytes: Uint8Array): Promise<void> {
  for (let at = 0; at < bytes.length;) at += await conn.write(bytes.subarray(at));
}

/** Options of {@linkcode Relay}. */
export interface RelayOptions {
  /** Its state as the connection policy sees it; the relay keeps it current. */
  state: ConnState;
  /** The Unix socket Deno's HTTP server listens on. */
  path: string;
  /** The tag header's name (lowercase): the client's own are dropped. */
  tagName: string;
  /** The tag header line (`name: value\r\n`) put on each of its requests. */
  tagLine: Uint8Array;
  /** Called once, when the relay has closed. */
  onClose(): void;
  /** Called with an error no connection should cause: a bug, to be logged. */
  onBug(err: unknown): void;
}

/**
 * One client connection, relayed to Deno's HTTP server.
 *
 * @example
 * ```ts
 * import type { ConnState } from "./conn_policy.ts";
 * declare const conn: Deno.Conn; // accepted by the gate
 * declare const state: ConnState;
 * const relay = new Relay(conn, {
 *   state,
 *   path: "/run/user/1000/queuectl-web/http.sock",
 *   tagName: "x-queuectl-gate",
 *   tagLine: new TextEncoder().encode("x-queuectl-gate: secret.7\r\n"),
 *   onClose: () => console.log("closed"),
 *   onBug: (err) => console.error(err),
 * });
 * relay.run(); // never rejects; the gate's sweep may call relay.close() at any time
 * ```
 */
export class Relay {
  /** Its phase and timings, read by the gate's sweep and admission. */
  readonly state: ConnState;
  readonly #client: Deno.Conn;
  readonly #options: RelayOptions;
  #inner: Deno.Conn | null = null;
  #closed = false;
  #refusing = false;

  /** @param client the accepted connection; @param options its state, the server, the hooks */
  constructor(client: Deno.Conn, options: RelayOptions) {
    this.#client = client;
    this.#options = options;
    this.state = options.state;
  }

  /** Relays until either side closes. Never rejects. */
  async run(): Promise<void> {
    try {
      const inner = await Deno.connect({ transport: "unix", path: this.#options.path });
      this.#inner = inner;
      if (this.#closed) return;
      const responses = this.#responses(inner).catch(() => {}).then(() => {
        // The server closed (Connection: close, or after a half-close): so do we, unless a
        // refusal is waiting for the server's last answer to write its own.
        if (!this.#refusing) this.close();
      });
      const refusal = await this.#requests(inner);
      if (refusal !== null) {
        // Answered after what the server still owes for earlier (pipelined) requests.
        this.#refusing = true;
        await inner.closeWrite();
        await responses;
        if (!this.#closed) {
          await writeAll(this.#client, closingAnswer(refusal.status, refusal.message));
        }
      }
      await responses;
    } catch (err) {
      // A reset, or a close by the sweep, is an I/O error: there is nothing to answer then.
      if (!this.#closed && !Object.values(Deno.errors).some((E) => err instanceof E)) {
        this.#options.onBug(err);
      }
    } finally {
      this.close();
    }
  }

  /** Closes both sides at once (idempotent). */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const conn of [this.#client, this.#inner]) {
      try {
        conn?.close();
      } catch {
        // Already closed.
      }
    }
    this.#options.onClose();
  }

  /**
   * Forwards requests until the client stops sending (null) or sends a head the gate will not
   * forward (the refusal).
   */
  async #requests(inner: Deno.Conn): Promise<HeadError | null> {
    const { tagName, tagLine } = this.#options;
    const pending = new Pending();
    let scanned = 0;
    let bodyLeft = 0;
    for (;;) {
      while (pending.length > 0) {
        if (this.state.phase === "body") {
          const n = Math.min(bodyLeft, pending.length);
          await writeAll(inner, pending.bytes.subarray(0, n));
          pending.consume(n);
          bodyLeft -= n;
          if (bodyLeft === 0) this.#enter("head");
          continue;
        }
        // A client may send a blank line between requests (RFC 9112 §2.2); it is not forwarded.
        while (scanned === 0 && pending.length >= 2 && pending.startsWithCrlf()) pending.consume(2);
        const end = headEnd(pending.bytes, scanned);
        if (end === -1 || end > MAX_HEAD_BYTES) {
          if (pending.length > MAX_HEAD_BYTES) {
            return { status: 431, message: `request head larger than ${MAX_HEAD_BYTES} bytes` };
          }
          scanned = Math.max(0, pending.length - 3);
          break;
        }
        const parsed = parseHead(pending.bytes.subarray(0, end), tagName, tagLine);
        if ("status" in parsed) return parsed;
        await writeAll(inner, parsed.head);
        pending.consume(end);
        scanned = 0;
        bodyLeft = parsed.bodyLength;
        this.#enter(bodyLeft > 0 ? "body" : "head");
      }
      const n = await this.#client.read(pending.room(READ_BYTES));
      if (n === null) {
        // The client is done sending: a cut-off body ends the connection; otherwise the server
        // answers what it has, then closes its side, which ends the response relay.
        if (this.state.phase === "body") this.close();
        else await inner.closeWrite();
        return null;
      }
      pending.added(n);
    }
  }

  async #responses(inner: Deno.Conn): Promise<void> {
    const chunk = new Uint8Array(64 * 1024);
    for (;;) {
      const n = await inner.read(chunk);
      if (n === null) return;
      this.state.writingSince = Date.now();
      await writeAll(this.#client, chunk.subarray(0, n));
      this.state.writingSince = null;
    }
  }

  #enter(phase: "head" | "body"): void {
    this.state.phase = phase;
    this.state.phaseSince = Date.now();
  }
}

const READ_BYTES = 16 * 1024;

/**
 * The bytes read from a client and not yet forwarded, in one buffer that is read into directly
 * and grows by doubling: a head arriving a byte at a time costs linear copying, not quadratic.
 */
class Pending {
  #buf = new Uint8Array(READ_BYTES);
  #start = 0;
  #end = 0;

  /** The pending bytes (a view, valid until the next call that changes them). */
  get bytes(): Uint8Array {
    return this.#buf.subarray(this.#start, this.#end);
  }

  /** How many bytes are pending. */
  get length(): number {
    return this.#end - this.#start;
  }

  /** True when the pending bytes start with CRLF. */
  startsWithCrlf(): boolean {
    return this.#buf[this.#start] === CR && this.#buf[this.#start + 1] === LF;
  }

  /** Drops the first `n` pending bytes. */
  consume(n: number): void {
    this.#start += n;
    if (this.#start === this.#end) this.#start = this.#end = 0;
  }

  /** Space for at least `min` more bytes after the pending ones, to read into. */
  room(min: number): Uint8Array {
    if (this.#buf.length - this.#end < min) {
      const length = this.length;
      if (length + min > this.#buf.length) {
        const grown = new Uint8Array(Math.max(this.#buf.length * 2, length + min));
        grown.set(this.bytes);
        this.#buf = grown;
      } else {
        this.#buf.copyWithin(0, this.#start, this.#end);
      }
      this.#start = 0;
      this.#end = length;
    }
    return this.#buf.subarray(this.#end);
  }

  /** Counts `n` bytes just read into {@linkcode room} as pending. */
  added(n: number): void {
    this.#end += n;
  }
}
