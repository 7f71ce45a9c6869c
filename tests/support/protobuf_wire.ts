/**
 * The few pieces of the protobuf wire format the KV Connect test server needs: varints,
 * length-delimited fields and a reader that groups a message's fields by number. Messages are
 * small and flat, so a schema-free reader is enough and no code generator is involved.
 *
 * @module
 */

/** One field of a decoded message: a varint as bigint, or the bytes of a length-delimited one. */
export type WireValue = bigint | Uint8Array;

/** A decoded message: every value of each field number, in wire order. */
export type WireMessage = Map<number, WireValue[]>;

/**
 * Decodes one message into its fields (varint and length-delimited only, as KV Connect uses).
 *
 * @example
 * ```ts
 * const msg = decodeMessage(new Uint8Array([8, 1]));
 * msg.get(1); // [1n]
 * ```
 */
export function decodeMessage(bytes: Uint8Array): WireMessage {
  const out: WireMessage = new Map();
  let pos = 0;
  const varint = (): bigint => {
    let result = 0n;
    for (let shift = 0n;; shift += 7n) {
      if (pos >= bytes.length) throw new RangeError("truncated varint in protobuf message");
      const b = bytes[pos++]!;
      result |= BigInt(b & 0x7f) << shift;
      if ((b & 0x80) === 0) return result;
    }
  };
  while (pos < bytes.length) {
    const tag = Number(varint());
    const field = tag >>> 3;
    const type = tag & 7;
    let value: WireValue;
    if (type === 0) value = varint();
    else if (type === 2) {
      const len = Number(varint());
      if (pos + len > bytes.length) throw new RangeError("truncated field in protobuf message");
      value = bytes.subarray(pos, pos + len);
      pos += len;
    } else if (type === 1) {
      pos += 8; // fixed64: unused by KV Connect, skipped
      continue;
    } else if (type === 5) {
      pos += 4; // fixed32: likewise
      continue;
    } else throw new RangeError(`unsupported protobuf wire type ${type}`);
    const list = out.get(field);
    if (list) list.push(value);
    else out.set(field, [value]);
  }
  return out;
}

/** The bytes of field `n` (empty when absent). */
export function bytesField(msg: WireMessage, n: number): Uint8Array {
  const v = msg.get(n)?.at(-1);
  return v instanceof Uint8Array ? v : new Uint8Array();
}

/** The varint of field `n` as a number (0 when absent). */
export function intField(msg: WireMessage, n: number): number {
  const v = msg.get(n)?.at(-1);
  return typeof v === "bigint" ? Number(BigInt.asIntN(64, v)) : 0;
}

/** Every value of a repeated message field `n`, decoded. */
export function messagesField(msg: WireMessage, n: number): WireMessage[] {
  return (msg.get(n) ?? []).filter((v) => v instanceof Uint8Array).map((v) => decodeMessage(v));
}

/**
 * Builds a message field by field.
 *
 * @example
 * ```ts
 * new MessageWriter().int(1, 1).bytes(2, new Uint8Array(10)).finish();
 * ```
 */
export class MessageWriter {
  readonly #parts: number[] = [];

  /** Adds varint field `n` (skipped when 0 or false, as proto3 does). */
  int(n: number, value: number | boolean): this {
    const v = typeof value === "boolean" ? (value ? 1 : 0) : value;
    if (v === 0) return this;
    this.#varint((n << 3) | 0);
    this.#varint(v);
    return this;
  }

  /** Adds length-delimited field `n` (bytes, or an embedded message); always written. */
  bytes(n: number, value: Uint8Array): this {
    this.#varint((n << 3) | 2);
    this.#varint(value.length);
    for (const b of value) this.#parts.push(b);
    return this;
  }

  /** The encoded message. */
  finish(): Uint8Array<ArrayBuffer> {
    return new Uint8Array(this.#parts);
  }

  #varint(value: number): void {
    let v = BigInt.asUintN(64, BigInt(value));
    while (v >= 0x80n) {
      this.#parts.push(Number(v & 0x7fn) | 0x80);
      v >>= 7n;
    }
    this.#parts.push(Number(v));
  }
}
