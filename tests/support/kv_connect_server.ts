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
import {
  bytesField,
  decodeMessage,
  intField,
  messagesField,
  MessageWriter,
  type WireMessage,
} from "./protobuf_wire.ts";

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
}

/** A running server. */
export interface KvConnectServer extends AsyncDisposable {
  /** Its URL, for `Deno.openKv` and `--db`. */
  url: string;
  /** Requests served, by endpoint. */
  requests: Record<string, number>;
  /** While true, every request hangs (an unresponsive server); new ones wait until false. */
  hang: boolean;
  /** Stops serving and closes the backing store. */
  close(): Promise<void>;
}

/** The limits denokv enforces per request. */
const LIMITS = {
  ranges: 10,
  entries: 1000,
  checks: 10,
  mutations: 1000,
  bytes: 800 * 1024,
  key: 2048,
  value: 65536,
};

const V8 = 1;
const LE64 = 2;
const BYTES = 3;

/** How a value sits in the backing store: U64 natively (so `sum` works), the rest tagged. */
type Stored = Deno.KvU64 | { e: number; d: Uint8Array };

class BadRequest extends Error {}

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
      const body = new Uint8Array(await req.arrayBuffer());
      if (path === "/v2/snapshot_read") return proto(await snapshotRead(kv, body));
      if (path === "/v2/atomic_write") return proto(await atomicWrite(kv, body));
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

async function snapshotRead(kv: Deno.Kv, body: Uint8Array): Promise<Uint8Array<ArrayBuffer>> {
  const ranges = messagesField(decodeMessage(body), 1);
  if (ranges.length > LIMITS.ranges) {
    throw new BadRequest("Too many read ranges requested in one read request.");
  }
  let total = 0;
  for (const r of ranges) total += intField(r, 3);
  if (total > LIMITS.entries) {
    throw new BadRequest(
      "The total number of entries requested across read ranges in the read request is too large.",
    );
  }
  const out = new MessageWriter();
  for (const r of ranges) {
    const start = bytesField(r, 1);
    const end = bytesField(r, 2);
    const limit = intField(r, 3);
    if (limit <= 0) {
      throw new BadRequest("The read range limit of the snapshot read request is invalid.");
    }
    const range = new MessageWriter();
    if (compare(start, end) < 0) {
      const iter = kv.list<Stored>({ start: [start], end: [end] }, {
        limit,
        reverse: intField(r, 4) !== 0,
        batchSize: limit,
      });
      for await (const e of iter) range.bytes(1, entry(e));
    }
    out.bytes(1, range.finish());
  }
  // read_is_strongly_consistent (v2) and status SR_SUCCESS (v3).
  return out.int(4, true).int(8, 1).finish();
}

function entry(e: Deno.KvEntry<Stored>): Uint8Array {
  const key = e.key[0] as Uint8Array;
  const w = new MessageWriter().bytes(1, key);
  if (e.value instanceof Deno.KvU64) w.bytes(2, le64(e.value.value)).int(3, LE64);
  else w.bytes(2, e.value.d).int(3, e.value.e);
  return w.bytes(4, hexBytes(e.versionstamp)).finish();
}

async function atomicWrite(kv: Deno.Kv, body: Uint8Array): Promise<Uint8Array<ArrayBuffer>> {
  const msg = decodeMessage(body);
  const checks = messagesField(msg, 1);
  const mutations = messagesField(msg, 2);
  if (messagesField(msg, 3).length > 0) {
    throw new BadRequest("Enqueue operations are not supported in KV Connect.");
  }
  if (checks.length > LIMITS.checks) {
    throw new BadRequest("Too many checks included in atomic write.");
  }
  if (mutations.length > LIMITS.mutations) {
    throw new BadRequest("Too many mutations / enqueues included in atomic write.");
  }
  const op = kv.atomic();
  let bytes = 0;
  for (const c of checks) {
    const key = bytesField(c, 1);
    const vs = bytesField(c, 2);
    bytes += key.length;
    op.check({ key: [key], versionstamp: vs.length === 0 ? null : hex(vs) });
  }
  for (const m of mutations) bytes += mutate(op, m);
  if (bytes > LIMITS.bytes) {
    throw new BadRequest("The total size of the atomic write is too large.");
  }
  const res = await op.commit();
  const out = new MessageWriter();
  // AW_SUCCESS = 1, AW_CHECK_FAILURE = 2.
  if (res.ok) return out.int(1, 1).bytes(2, hexBytes(res.versionstamp)).finish();
  return out.int(1, 2).finish();
}

/** Adds one mutation to `op`; returns its size. */
function mutate(op: Deno.AtomicOperation, m: WireMessage): number {
  const key = bytesField(m, 1);
  if (key.length > LIMITS.key) throw new BadRequest("A key exceeds the key size limit.");
  const value = decodeMessage(bytesField(m, 2));
  const data = bytesField(value, 1);
  const encoding = intField(value, 2);
  const type = intField(m, 3);
  const expireAt = intField(m, 4);
  if (type === 2) {
    op.delete([key]);
    return key.length;
  }
  if (data.length > LIMITS.value) throw new BadRequest("A value exceeds the value size limit.");
  if (type === 1) {
    let stored: Stored;
    if (encoding === LE64) stored = new Deno.KvU64(fromLe64(data));
    else if (encoding === V8 || encoding === BYTES) stored = { e: encoding, d: data.slice() };
    else throw new BadRequest("Invalid mutation kind or arguments.");
    op.set([key], stored, expireAt > 0 ? { expireIn: Math.max(1, expireAt - Date.now()) } : {});
  } else if (type === 3 || type === 4 || type === 5) {
    if (encoding !== LE64) throw new BadRequest("Invalid mutation kind or arguments.");
    const n = new Deno.KvU64(fromLe64(data));
    if (type === 3) op.sum([key], n.value);
    else if (type === 4) op.max([key], n.value);
    else op.min([key], n.value);
  } else throw new BadRequest("Invalid mutation kind or arguments.");
  return key.length + data.length;
}

function watch(
  kv: Deno.Kv,
  body: Uint8Array,
  watches: Set<ReadableStreamDefaultController<Uint8Array>>,
): Response {
  const keys = messagesField(decodeMessage(body), 1).map((k) => bytesField(k, 1));
  if (keys.length > LIMITS.ranges) throw new BadRequest("Too many keys watched.");
  let reader: ReadableStreamDefaultReader<Deno.KvEntryMaybe<Stored>[]> | null = null;
  let ctl: ReadableStreamDefaultController<Uint8Array> | null = null;
  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      ctl = controller;
      watches.add(controller);
      reader = kv.watch<Stored[]>(keys.map((k) => [k])).getReader();
      const seen: (string | null | undefined)[] = keys.map(() => undefined);
      (async () => {
        for (;;) {
          const next = await reader!.read();
          if (next.done) break;
          const out = new MessageWriter().int(1, 1); // SR_SUCCESS
          next.value.forEach((e, i) => {
            const changed = seen[i] !== e.versionstamp;
            seen[i] = e.versionstamp;
            const w = new MessageWriter().int(1, changed);
            if (changed && e.versionstamp !== null) {
              w.bytes(2, entry(e as Deno.KvEntry<Stored>));
            }
            out.bytes(2, w.finish());
          });
          controller.enqueue(frame(out.finish()));
        }
      })().catch(() => {}).finally(() => {
        watches.delete(controller);
        try {
          controller.close();
        } catch {
          // The client went away first.
        }
      });
    },
    cancel() {
      if (ctl) watches.delete(ctl);
      reader?.cancel().catch(() => {});
    },
  });
  return new Response(stream, { headers: { "content-type": "application/octet-stream" } });
}

/** A watch frame: a 4-byte little-endian length, then the message. */
function frame(msg: Uint8Array): Uint8Array {
  const out = new Uint8Array(4 + msg.length);
  new DataView(out.buffer).setUint32(0, msg.length, true);
  out.set(msg, 4);
  return out;
}

function compare(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return a.length - b.length;
}

function le64(n: bigint): Uint8Array {
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigUint64(0, n, true);
  return out;
}

function fromLe64(data: Uint8Array): bigint {
  if (data.length !== 8) throw new BadRequest("Invalid mutation kind or arguments.");
  return new DataView(data.buffer, data.byteOffset, 8).getBigUint64(0, true);
}

function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

function hexBytes(text: string): Uint8Array {
  const out = new Uint8Array(text.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(text.slice(2 * i, 2 * i + 2), 16);
  return out;
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
  });
  console.error(`kv_connect_server: listening on ${server.url}`);
}
