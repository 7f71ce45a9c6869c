/**
 * A small KV Connect server for tests: the real protocol (JSON metadata exchange, then protobuf
 * `snapshot_read`, `atomic_write` and streamed `watch` under `/v2`), backed by a Deno KV in this
 * process. No denokv binary can be installed here, so this lets the real remote client of
 * `Deno.openKv("http://…")` run end to end: its encoding of keys and values, its retries, its
 * watch stream. It enforces the same per-request limits as denokv.
 *
 * Raw key bytes are stored as a one-part key `[bytes]`: the key encoding preserves byte order,
 * so a raw range maps onto a range of the backing store, and the backing store's versionstamps,
 * checks and `sum` serve as the server's own. Only this process writes the backing store, so
 * its `watch` sees every change.
 *
 * Run it by hand: `deno run -A tests/support/kv_connect_server.ts --port 4512 --token T [--path F]`.
 *
 * @module
 */
import { atomicWrite, BadRequest, snapshotRead, watch } from "./kv_connect_datapath.ts";

/** Options of {@linkcode startKvConnectServer}. */
export interface KvConnectServerOptions {
  /** The access token clients must present. */
  token: string;
  /** Backing KV file; default in memory. */
  path?: string;
  /** Port on 127.0.0.1; default a free one. */
  port?: number;
  /** Shifts the server's HTTP `Date` header by this much, to play a host with a skewed clock. */
  clockOffsetMs?: number;
  /** Hears the body of each `atomic_write` request (for the lab's size census). */
  onAtomicWrite?: (body: Uint8Array) => void;
  /**
   * Answers `atomic_write` with its headers before reading the body (default true), so that a
   * commit body of 1,024 bytes or more does not wait for this host's delayed ACK (about 40 ms):
   * see {@linkcode SPLIT_BODY_BYTES}. The status is then always 200, and a refused write answers
   * with an unspecified status instead of a 400 (Deno's client reports "unspecified error").
   */
  earlyHeaders?: boolean;
}

/** The body sizes of the `atomic_write` requests a server has served. */
export interface WriteSizes {
  /** Requests served. */
  count: number;
  /** Requests whose body was 1,024 bytes or more (see {@linkcode SPLIT_BODY_BYTES}). */
  split: number;
  /** The largest body, in bytes. */
  max: number;
}

/**
 * The request body size from which Deno's remote KV client (Deno 2.9.6) writes a request in
 * two parts; the second then waits for the server's delayed ACK, about 40 ms on Linux
 * (docs/SCALING.md, "Why a large commit takes 40 ms").
 */
export const SPLIT_BODY_BYTES = 1024;

/** A running server. */
export interface KvConnectServer extends AsyncDisposable {
  /** Its URL, for `Deno.openKv` and `--db`. */
  url: string;
  /** Requests served, by endpoint. */
  requests: Record<string, number>;
  /** The body sizes of the commits served. */
  writes: WriteSizes;
  /** While true, every request hangs (an unresponsive server); new ones wait until false. */
  hang: boolean;
  /** Stops serving and closes the backing store. */
  close(): Promise<void>;
}

/**
 * Starts a KV Connect server on 127.0.0.1.
 *
 * @example
 * ```ts
 * await using server = await startKvConnectServer({ token: "test-token-123" });
 * Deno.env.set("DENO_KV_ACCESS_TOKEN", "test-token-123");
 * const kv = await Deno.openKv(server.url);
 * ```
 */
export async function startKvConnectServer(
  options: KvConnectServerOptions,
): Promise<KvConnectServer> {
  const kv = await Deno.openKv(options.path ?? ":memory:");
  const requests: Record<string, number> = {};
  const writes: WriteSizes = { count: 0, split: 0, max: 0 };
  const watches = new Set<ReadableStreamDefaultController<Uint8Array>>();
  let unhang: (() => void) | null = null;
  let hangGate: Promise<void> | null = null;
  const state = {
    get hang() {
      return hangGate !== null;
    },
    set hang(on: boolean) {
      if (on && !hangGate) hangGate = new Promise((r) => (unhang = r));
      if (!on && hangGate) {
        unhang?.();
        hangGate = null;
      }
    },
  };
  const abort = new AbortController();
  const server = Deno.serve(
    {
      hostname: "127.0.0.1",
      port: options.port ?? 0,
      signal: abort.signal,
      onListen: () => {},
    },
    async (req) => {
      const res = await handle(req);
      // Stamped here, at answer time: the Date header Deno.serve adds by itself lags the
      // clock by up to a second (measured), which would read as skew.
      res.headers.set("date", new Date(Date.now() + (options.clockOffsetMs ?? 0)).toUTCString());
      return res;
    },
  );
  async function handle(req: Request): Promise<Response> {
    const path = new URL(req.url).pathname;
    requests[path] = (requests[path] ?? 0) + 1;
    if (hangGate) await hangGate;
    try {
      if (req.method !== "POST") return text(405, "Method not allowed.");
      if (path === "/") return await metadata(req, options.token);
      const denied = checkDataPath(req, options.token);
      if (denied) return denied;
      if (path === "/v2/atomic_write") {
        const work = req.arrayBuffer().then((raw) => {
          const body = new Uint8Array(raw);
          writes.count++;
          if (body.length >= SPLIT_BODY_BYTES) writes.split++;
          writes.max = Math.max(writes.max, body.length);
          options.onAtomicWrite?.(body);
          return atomicWrite(kv, body);
        });
        if (options.earlyHeaders ?? true) return early(work);
        return proto(await work);
      }
      const body = new Uint8Array(await req.arrayBuffer());
      if (path === "/v2/snapshot_read") return proto(await snapshotRead(kv, body));
      if (path === "/v2/watch") return watch(kv, body, watches);
      return text(404, "Resource not found.");
    } catch (err) {
      if (err instanceof BadRequest) return text(400, err.message);
      return text(500, `An internal server error occurred: ${(err as Error).message}`);
    }
  }
  const url = `http://127.0.0.1:${server.addr.port}`;
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    state.hang = false;
    for (const c of watches) {
      try {
        c.close();
      } catch {
        // Already closed by its client.
      }
    }
    abort.abort();
    await server.finished;
    kv.close();
  };
  return {
    url,
    requests,
    writes,
    close,
    [Symbol.asyncDispose]: close,
    get hang() {
      return state.hang;
    },
    set hang(on: boolean) {
      state.hang = on;
    },
  };
}

function text(status: number, body: string): Response {
  return new Response(body, { status, headers: { "content-type": "text/plain" } });
}

function proto(body: Uint8Array<ArrayBuffer>): Response {
  return new Response(body, { headers: { "content-type": "application/x-protobuf" } });
}

/**
 * A 200 whose headers leave now and whose body follows when `work` ends. The headers carry the
 * ACK of the request's first part, which releases the part Nagle's algorithm holds back in the
 * client; a refused write becomes an empty `AtomicWriteOutput` (status unspecified).
 */
function early(work: Promise<Uint8Array<ArrayBuffer>>): Response {
  const body = new ReadableStream<Uint8Array<ArrayBuffer>>({
    async start(c) {
      c.enqueue(await work.catch(() => new Uint8Array(0)));
      c.close();
    },
  });
  return new Response(body, { headers: { "content-type": "application/x-protobuf" } });
}

function bearer(req: Request): string | null {
  const auth = req.headers.get("authorization") ?? "";
  const [scheme, token] = auth.split(" ");
  return scheme?.toLowerCase() === "bearer" && token ? token : null;
}

async function metadata(req: Request, token: string): Promise<Response> {
  let versions: number[] = [1];
  const raw = await req.text();
  if (raw.trim() !== "") {
    try {
      versions = JSON.parse(raw).supportedVersions ?? [1];
    } catch {
      return text(400, "Request body is not valid JSON.");
    }
  }
  const version = [3, 2].find((v) => versions.includes(v));
  if (!version) return text(400, "The server requires protocol version 2 or 3.");
  if (bearer(req) !== token) return text(401, "Invalid access token.");
  return Response.json({
    version,
    databaseId: "00000000-0000-0000-0000-000000000000",
    endpoints: [{ url: "/v2", consistency: "strong" }],
    token,
    expiresAt: new Date(Date.now() + 86_400_000).toISOString(),
  });
}

function checkDataPath(req: Request, token: string): Response | null {
  if (!["2", "3"].includes(req.headers.get("x-denokv-version") ?? "")) {
    return text(400, "Expected protocol version 2 or 3.");
  }
  if (bearer(req) !== token) return text(401, "Invalid access token.");
  if (req.headers.get("x-denokv-database-id") !== "00000000-0000-0000-0000-000000000000") {
    return text(400, "Invalid database id.");
  }
  return null;
}
if (import.meta.main) {
  const arg = (name: string) => {
    const i = Deno.args.indexOf(`--${name}`);
    return i >= 0 ? Deno.args[i + 1] : undefined;
  };
  const token = arg("token") ?? Deno.env.get("DENO_KV_ACCESS_TOKEN");
  if (!token) {
    console.error("kv_connect_server: --token or DENO_KV_ACCESS_TOKEN is required");
    Deno.exit(2);
  }
  const server = await startKvConnectServer({
    token,
    path: arg("path"),
    port: Number(arg("port") ?? 4512),
    earlyHeaders: Deno.env.get("QUEUECTL_KV_SERVER_EARLY_HEADERS") !== "0",
  });
  console.error(`kv_connect_server: listening on ${server.url}`);
}
