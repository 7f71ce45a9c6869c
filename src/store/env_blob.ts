/**
 * Stored job environments. A bulk enqueue must not keep one copy of a 4 KB environment per job:
 * an environment is stored once under `["env", id, chunk]`, named by a hash of its canonical
 * text (so every enqueue call with the same variables shares one copy), and each job record
 * holds only the id. `["env_refs", id]` counts the jobs that point at it, moved by
 * `applyTransition` in the same atomic op as the job records; the worker's sweep removes an
 * environment whose count is 0, with a check of that count, so an enqueue that takes it up
 * again meanwhile wins.
 *
 * @module
 */
import { envText, type EnvVars } from "../env_vars.ts";
import { REMOTE_LIMITS, Tx } from "./db.ts";
import { keys } from "./keys.ts";
import type { Store } from "./open.ts";

/** Bytes per chunk: under Deno KV's 64 KiB value limit. */
const CHUNK_BYTES = 60 * 1024;

/** An environment ready to be stored: its id, and its text in chunks. */
export interface EnvBlob {
  /** 32 hex digits of the SHA-256 of its canonical text. */
  id: string;
  /** The UTF-8 canonical text, cut under the value limit. */
  chunks: Uint8Array[];
  /** Bytes in all, for an atomic op's budget. */
  bytes: number;
}

/**
 * Makes the stored form of `env` (throws UsageError when it is too big, see `envText`).
 *
 * @example
 * ```ts
 * const blob = await envBlob({ RUST_LOG: "debug" });
 * blob.id.length; // 32
 * ```
 */
export async function envBlob(env: EnvVars): Promise<EnvBlob> {
  const bytes = new TextEncoder().encode(envText(env));
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
  const id = Array.from(digest.subarray(0, 16), (b) => b.toString(16).padStart(2, "0")).join("");
  const chunks: Uint8Array[] = [];
  for (let at = 0; at < bytes.length || at === 0; at += CHUNK_BYTES) {
    chunks.push(bytes.subarray(at, at + CHUNK_BYTES));
  }
  return { id, chunks, bytes: bytes.length };
}

/**
 * Adds the writes of `blob` to `tx`. Only with a job that references it in the same op, so its
 * count is never 0 once it is written (the sweep would remove it).
 *
 * @example
 * ```ts
 * import { REMOTE_LIMITS, Tx } from "./db.ts";
 * const tx = new Tx();
 * addEnvBlob(tx, await envBlob({ A: "1" }));
 * ```
 */
export function addEnvBlob(tx: Tx, blob: EnvBlob): void {
  blob.chunks.forEach((chunk, i) => tx.set(keys.env(blob.id, i), chunk));
}

/**
 * The variables stored under `envId`, or null when they are missing.
 *
 * @example
 * ```ts
 * import type { Store } from "./open.ts";
 * declare const store: Store;
 * const env = await readEnv(store, "0123456789abcdef0123456789abcdef");
 * ```
 */
export async function readEnv(store: Store, envId: string): Promise<EnvVars | null> {
  const entries = await store.db.list<Uint8Array>({ prefix: keys.envs(envId) }, { limit: 10 });
  if (entries.length === 0) return null;
  const parts = entries.map((e) => e.value);
  const all = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    all.set(p, at);
    at += p.length;
  }
  const pairs = JSON.parse(new TextDecoder().decode(all)) as [string, string][];
  return Object.fromEntries(pairs);
}

/**
 * The sorted names of a job's variables, for the views that must not show values: `[]` for a
 * job without an environment, null when its stored environment is missing.
 *
 * @example
 * ```ts
 * import type { Store } from "./open.ts";
 * declare const store: Store;
 * await envNames(store, null); // []
 * ```
 */
export async function envNames(store: Store, envId: string | null): Promise<string[] | null> {
  if (envId === null) return [];
  const env = await readEnv(store, envId);
  return env === null ? null : Object.keys(env).sort();
}

/**
 * Removes environments that no job references any more (count 0), each in one atomic op that
 * checks the count it read. Returns how many it removed.
 *
 * @example
 * ```ts
 * import type { Store } from "./open.ts";
 * declare const store: Store;
 * await sweepEnvBlobs(store);
 * ```
 */
export async function sweepEnvBlobs(store: Store): Promise<number> {
  const { db } = store;
  let removed = 0;
  // Every count, a page at a time: there is one per distinct environment, not per job. (Not
  // doctor's `scan`: this module is on enqueue's path, and the doctor's imports are not.)
  const prefix = keys.envRefsAll;
  let start: Deno.KvKey | undefined;
  for (;;) {
    const selector = start === undefined ? { prefix } : { prefix, start };
    const page = await db.list<Deno.KvU64>(selector, { limit: REMOTE_LIMITS.listLimit });
    for (const entry of page) {
      if (entry.value.value !== 0n) continue;
      const envId = String(entry.key[1]);
      const chunks = await db.list({ prefix: keys.envs(envId) }, { limit: 10 });
      const op = new Tx().check(entry.key, entry.versionstamp).delete(entry.key);
      for (const c of chunks) op.delete(c.key);
      if (await db.commit(op)) removed++;
    }
    if (page.length < REMOTE_LIMITS.listLimit) return removed;
    start = [...page[page.length - 1]!.key, ""];
  }
}
