/**
 * The data path of the KV Connect test server: `snapshot_read`, `atomic_write` and `watch`,
 * decoded from protobuf, checked against denokv's limits, and served from a backing Deno KV
 * whose one-part keys `[rawKeyBytes]` keep the raw keys' byte order.
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

/** A request the server refuses with 400 and this message. */
export class BadRequest extends Error {}

/** Serves one `snapshot_read`: every range, in request order. */
export async function snapshotRead(
  kv: Deno.Kv,
  body: Uint8Array,
): Promise<Uint8Array<ArrayBuffer>> {
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

/** Serves one `atomic_write`: checks and mutations in one backing commit. */
export async function atomicWrite(kv: Deno.Kv, body: Uint8Array): Promise<Uint8Array<ArrayBuffer>> {
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

/** Serves one `watch`: a stream of length-prefixed `WatchOutput` frames, first the current values. */
export function watch(
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
