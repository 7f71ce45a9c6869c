/**
 * One atomic operation being built: its checks and mutations, recorded so that its size can be
 * checked against the limits before it is sent and a "database is locked" retry can replay it.
 * It also owns the counter encoding: sums merge per key and a decrement wraps.
 *
 * @module
 */

const U64_MINUS_ONE = 2n ** 64n - 1n;

/** One recorded write. */
export type Mutation =
  | { type: "set"; key: Deno.KvKey; value: unknown }
  | { type: "delete"; key: Deno.KvKey }
  | { type: "sum"; key: Deno.KvKey; n: bigint }
  | { type: "max"; key: Deno.KvKey; n: bigint };

/**
 * One atomic operation being built. It records what it will do so that its size can be checked
 * against the limits before it is sent, and so that a "database is locked" retry can replay it.
 *
 * @example
 * ```ts
 * const tx = new Tx();
 * tx.check(["job", "a"], null);
 * tx.set(["job", "a"], { id: "a" });
 * tx.add(["count", "pending"], 1);
 * ```
 */
export class Tx {
  /** Versionstamp checks, in order. */
  readonly checks: Deno.AtomicCheck[] = [];
  /** Mutations, in order. */
  readonly mutations: Mutation[] = [];
  #bytes = 0;
  readonly #sums = new Map<string, Mutation & { type: "sum" }>();
  readonly #maxes = new Map<string, Mutation & { type: "max" }>();

  /** Fails the commit unless `key` still has `versionstamp` (null: the key must not exist). */
  check(key: Deno.KvKey, versionstamp: string | null): this {
    this.checks.push({ key, versionstamp });
    return this;
  }

  /** Writes `value` under `key`. */
  set(key: Deno.KvKey, value: unknown): this {
    this.mutations.push({ type: "set", key, value });
    this.#bytes += approxSize(key) + approxSize(value);
    return this;
  }

  /** Removes `key`. */
  delete(key: Deno.KvKey): this {
    this.mutations.push({ type: "delete", key });
    this.#bytes += approxSize(key);
    return this;
  }

  /** Adds `n` (possibly negative) to the KvU64 counter at `key`; the subtraction wraps. */
  add(key: Deno.KvKey, n: number): this {
    if (n === 0) return this;
    const delta = n > 0 ? BigInt(n) : (U64_MINUS_ONE * BigInt(-n)) % 2n ** 64n;
    // Counters touched by many jobs of a batch become one mutation.
    const id = JSON.stringify(key);
    const existing = this.#sums.get(id);
    if (existing) {
      existing.n = (existing.n + delta) % 2n ** 64n;
      return this;
    }
    const m = { type: "sum" as const, key, n: delta };
    this.#sums.set(id, m);
    this.mutations.push(m);
    this.#bytes += approxSize(key) + 8;
    return this;
  }

  /**
   * Removes the counter sums that net to zero (a job that leaves `processing` and the next that
   * enters it in one commit): each would still cost SQLite a write that changes nothing.
   */
  dropZeroSums(): this {
    for (let i = this.mutations.length - 1; i >= 0; i--) {
      const m = this.mutations[i]!;
      if (m.type !== "sum" || m.n !== 0n) continue;
      this.mutations.splice(i, 1);
      this.#sums.delete(JSON.stringify(m.key));
    }
    return this;
  }

  /** Raises the KvU64 at `key` to at least `n` (a non-negative integer). */
  max(key: Deno.KvKey, n: number): this {
    const value = BigInt(Math.max(0, Math.round(n)));
    const id = JSON.stringify(key);
    const existing = this.#maxes.get(id);
    if (existing) {
      if (value > existing.n) existing.n = value;
      return this;
    }
    const m = { type: "max" as const, key, n: value };
    this.#maxes.set(id, m);
    this.mutations.push(m);
    this.#bytes += approxSize(key) + 8;
    return this;
  }

  /** Approximate encoded size of keys and values so far. */
  get bytes(): number {
    return this.#bytes;
  }

  /** True when nothing would be written. */
  get empty(): boolean {
    return this.mutations.length === 0;
  }
}

function approxSize(v: unknown): number {
  if (typeof v === "string") return v.length * 3 + 2;
  if (typeof v === "number" || typeof v === "bigint" || typeof v === "boolean") return 9;
  if (v instanceof Uint8Array) return v.byteLength + 4;
  if (Array.isArray(v)) return v.reduce((n: number, x) => n + approxSize(x), 2);
  if (v && typeof v === "object") {
    // for-in rather than Object.entries: a bulk enqueue sizes 100k records, and the pairs
    // Object.entries allocates were a tenth of its main-thread time.
    let n = 2;
    const o = v as Record<string, unknown>;
    for (const k in o) if (Object.hasOwn(o, k)) n += k.length + approxSize(o[k]);
    return n;
  }
  return 1;
}
