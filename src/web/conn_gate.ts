/**
 * The connection gate in front of the dashboard's HTTP server. Deno.serve (2.9.6) has no header or body
 * timeout and no hook per connection: a client that sends half a head is kept forever (measured:
 * still open after 70 s), so 200 such clients hold 200 connections. The gate therefore accepts
 * TCP connections itself and:
 *
 * 1. admits a connection within the caps per client address and in all, displacing the ones
 *    that have waited longest on their clients when a cap is reached (`conn_policy.ts`);
 * 2. relays it to Deno.serve on a Unix socket in a private directory (`relay.ts`), framing each
 *    request so it knows when a head or a body is overdue, and tagging each head with the
 *    connection's id, through which the handler learns the client's address;
 * 3. sweeps the open connections a few times per timeout and closes the overdue ones.
 *
 * Deno.serve still parses HTTP; the gate only frames it.
 *
 * @module
 */
import { Logger } from "../log.ts";
import { clientKey } from "./client_key.ts";
import { admit, CONN_LIMITS, type ConnLimits, type ConnState, overdue } from "./conn_policy.ts";
import type { ClientInfo } from "./handler.ts";
import { closingAnswer, Relay, writeAll } from "./relay.ts";

/** Options of {@linkcode serveGated}: where to listen, and the limits (see `CONN_LIMITS`). */
export interface GateOptions extends Partial<ConnLimits> {
  /** The address to listen on. */
  hostname: string;
  /** The port (0 picks a free one). */
  port: number;
  /** Stops the server: closes the listener and every connection. */
  signal?: AbortSignal;
  /** Where failures to accept and handler crashes are logged. Default: stderr. */
  log?: Logger;
}

/** A running gated server. */
export interface Gate {
  /** The address it listens on. */
  addr: Deno.NetAddr;
  /** Settles once `signal` has stopped it and its socket directory is removed. */
  finished: Promise<void>;
  /** How many client connections are open now. */
  open(): number;
}

/** The header a relay puts on every request, replacing any a client sent. */
const TAG = "x-queuectl-gate";

/**
 * Serves `handler` on `hostname:port` behind the gate. Throws as Deno.listen does
 * (`Deno.errors.AddrInUse`…).
 *
 * @example
 * ```ts
 * const gate = await serveGated((req) => new Response("hi"), { hostname: "127.0.0.1", port: 0 });
 * ```
 */
export async function serveGated(
  handler: (req: Request, client: ClientInfo) => Response | Promise<Response>,
  options: GateOptions,
): Promise<Gate> {
  const limits = { ...CONN_LIMITS };
  for (const k of Object.keys(CONN_LIMITS) as (keyof ConnLimits)[]) {
    if (options[k] !== undefined) limits[k] = options[k];
  }
  const log = options.log ?? new Logger({ fields: { web: true } });
  const listener = Deno.listen({ hostname: options.hostname, port: options.port });
  const dir = await Deno.makeTempDir({ prefix: "queuectl-web-" });
  const path = `${dir}/http.sock`;
  const secret = crypto.randomUUID();
  const relays = new Map<number, Relay>();
  const states = new Map<number, ConnState>();
  const stopInner = new AbortController();
  let server: Deno.HttpServer<Deno.UnixAddr>;
  try {
    server = Deno.serve({
      transport: "unix",
      path,
      signal: stopInner.signal,
      onListen: () => {},
      onError: (err) => {
        log.error("web.unhandled", { error: err instanceof Error ? err.message : String(err) });
        return new Response("internal error\n", { status: 500 });
      },
    }, (req, info) => {
      const relay = relayOf(req.headers.get(TAG));
      // Only relays connect to the socket, and they replace the tag: this is a parsing bug.
      if (!relay) return new Response("bad request: framing\n", { status: 400 });
      relay.state.inflight++;
      const done = () => {
        if (--relay.state.inflight === 0) relay.state.idleSince = Date.now();
      };
      info.completed.then(done, done);
      return handler(req, { address: relay.state.client });
    });
  } catch (err) {
    listener.close();
    await Deno.remove(dir, { recursive: true });
    throw err;
  }

  function relayOf(tag: string | null): Relay | undefined {
    const m = tag === null ? null : /^([0-9a-f-]{36})\.(\d+)$/.exec(tag);
    return m && m[1] === secret ? relays.get(Number(m[2])) : undefined;
  }

  let nextId = 1;
  const enc = new TextEncoder();
  function accept(conn: Deno.TcpConn): void {
    const client = clientKey(conn.remoteAddr.hostname);
    const now = Date.now();
    const verdict = admit(states, client, now, limits);
    if (verdict === null) {
      const answer = closingAnswer(503, `too many connections from ${client}; try again later`);
      writeAll(conn, answer).catch(() => {}).finally(() => conn.close());
      return;
    }
    for (const id of verdict.evict) relays.get(id)?.close();
    try {
      // Responses are relayed in the pieces Deno writes them; Nagle would hold back the last.
      conn.setNoDelay(true);
    } catch {
      // Reset already: the relay's first read ends it.
    }
    const id = nextId++;
    const state: ConnState = {
      client,
      phase: "head",
      phaseSince: now,
      inflight: 0,
      idleSince: now,
      writingSince: null,
    };
    const relay = new Relay(conn, {
      state,
      path,
      tagName: TAG,
      tagLine: enc.encode(`${TAG}: ${secret}.${id}\r\n`),
      onClose: () => {
        relays.delete(id);
        states.delete(id);
      },
      onBug: (err) => {
        log.error("web.relay_failed", {
          client,
          error: err instanceof Error ? (err.stack ?? err.message) : String(err),
        });
      },
    });
    relays.set(id, relay);
    states.set(id, state);
    relay.run();
  }

  // A few sweeps per timeout: a deadline is kept to within a quarter of it.
  const sweepMs = Math.max(
    10,
    Math.min(1000, limits.headerTimeoutMs / 4, limits.bodyTimeoutMs / 4),
  );
  const sweep = setInterval(() => {
    const now = Date.now();
    for (const relay of relays.values()) if (overdue(relay.state, now, limits)) relay.close();
  }, sweepMs);

  let stopping = false;
  const accepting = (async () => {
    for (;;) {
      let conn: Deno.TcpConn;
      try {
        conn = await listener.accept();
      } catch (err) {
        if (stopping) return;
        // Out of file descriptors, most likely: wait rather than spin.
        log.warn("web.accept_failed", { error: err instanceof Error ? err.message : String(err) });
        await new Promise((r) => setTimeout(r, 100));
        continue;
      }
      accept(conn);
    }
  })();

  const stop = async () => {
    stopping = true;
    listener.close();
    clearInterval(sweep);
    await accepting;
    for (const relay of relays.values()) relay.close();
    stopInner.abort();
    await server.finished;
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  };
  let finished: Promise<void>;
  if (options.signal?.aborted) finished = stop();
  else {
    finished = new Promise((resolve, reject) => {
      options.signal?.addEventListener("abort", () => stop().then(resolve, reject), { once: true });
    });
  }
  return { addr: listener.addr, finished, open: () => relays.size };
}
