/**
 * Fixtures for the gate's tests: the real handler behind `serveGated` on 127.0.0.1 and a temp
 * store, and raw TCP clients that send exactly the bytes a test wants (half a head, a stalled
 * body, pipelined requests) and see when the server closes.
 *
 * @module
 */
import type { ConnLimits } from "../src/web/conn_policy.ts";
import { serveGated } from "../src/web/conn_gate.ts";
import { type ClientInfo, createHandler } from "../src/web/handler.ts";
import { Logger } from "../src/log.ts";
import { type TempStore, tempStore } from "./factory.ts";

/** A gated server on a free loopback port. */
export interface GatedWeb extends AsyncDisposable {
  /** Its port. */
  port: number;
  /** `http://127.0.0.1:<port>`. */
  url: string;
  /** Its queue database. */
  store: TempStore;
  /** The log lines the handler and the gate wrote. */
  logs: string[];
  /** How many requests the handler has finished answering. */
  answered(): number;
  /** How many client connections the gate has open. */
  open(): number;
}

/** A handler to put behind the gate instead of the dashboard's. */
export type TestHandler = (req: Request, client: ClientInfo) => Response | Promise<Response>;

/**
 * Serves the dashboard's handler (or `handler`) behind the gate on 127.0.0.1, with `limits`.
 *
 * @example
 * ```ts
 * await using web = await gatedWeb({ headerTimeoutMs: 300 });
 * ```
 */
export async function gatedWeb(
  limits: Partial<ConnLimits> = {},
  options: { token?: string; handler?: TestHandler } = {},
): Promise<GatedWeb> {
  const store = await tempStore();
  const logs: string[] = [];
  const log = new Logger({ write: (line) => logs.push(line) });
  const stop = new AbortController();
  let handle: TestHandler | null = null;
  let answered = 0;
  const gate = await serveGated(async (req, client) => {
    try {
      return await handle!(req, client);
    } finally {
      answered++;
    }
  }, { hostname: "127.0.0.1", port: 0, signal: stop.signal, log, ...limits });
  const port = gate.addr.port;
  handle = options.handler ??
    createHandler(store, { host: "127.0.0.1", port, token: options.token ?? null, log });
  return {
    port,
    url: `http://127.0.0.1:${port}`,
    store,
    logs,
    answered: () => answered,
    open: () => gate.open(),
    async [Symbol.asyncDispose]() {
      stop.abort();
      await gate.finished;
      await store[Symbol.asyncDispose]();
    },
  };
}

/** One raw TCP connection to a test server. */
export class RawClient implements Disposable {
  /** The connection. */
  readonly conn: Deno.TcpConn;
  #closed: Promise<string> | null = null;
  #done = false;

  private constructor(conn: Deno.TcpConn) {
    this.conn = conn;
  }

  /** Connects to 127.0.0.1:`port`. */
  static async open(port: number): Promise<RawClient> {
    return new RawClient(await Deno.connect({ hostname: "127.0.0.1", port }));
  }

  /** Sends `text` as it is (latin1 is enough for tests). */
  async send(text: string): Promise<void> {
    const bytes = new TextEncoder().encode(text);
    for (let at = 0; at < bytes.length;) at += await this.conn.write(bytes.subarray(at));
  }

  /**
   * Starts reading: the promise settles with all the server sent once it closes (or resets) the
   * connection. Call once; a test that must not read (a slow reader) does not call it.
   */
  closed(): Promise<string> {
    this.#closed ??= (async () => {
      const dec = new TextDecoder();
      const buf = new Uint8Array(64 * 1024);
      let out = "";
      try {
        for (;;) {
          const n = await this.conn.read(buf);
          if (n === null) break;
          out += dec.decode(buf.subarray(0, n), { stream: true });
        }
      } catch {
        // A reset is a close too.
      }
      this.#done = true;
      return out;
    })();
    return this.#closed;
  }

  /** True once the server has closed the connection (after `closed()` was called). */
  get isClosed(): boolean {
    return this.#done;
  }

  /** Closes our side. */
  [Symbol.dispose](): void {
    try {
      this.conn.close();
    } catch {
      // Already closed.
    }
  }
}

/**
 * Resolves with `promise`'s value, or rejects with `what` after `ms`.
 *
 * @example
 * ```ts
 * using client = await RawClient.open(8080);
 * const text = await within(client.closed(), 5000, "the server to close");
 * ```
 */
export async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
