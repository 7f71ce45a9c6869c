/**
 * Runtime configuration kept in KV, so that a change reaches running workers.
 *
 * @module
 */
import type { Config } from "../config.ts";
import { resolveConfig, validateConfig } from "../config_value.ts";
import { Tx } from "./db.ts";
import { keys } from "./keys.ts";
import type { Store } from "./open.ts";

/**
 * The effective configuration: defaults overlaid with stored values (invalid ones ignored).
 *
 * @example
 * ```ts
 * import type { Store } from "./open.ts";
 * declare const store: Store;
 * const config = await readConfig(store);
 * config.max_retries; // 3 unless set
 * ```
 */
export async function readConfig(store: Store): Promise<Config> {
  const entries = await store.db.list<unknown>({ prefix: keys.configAll }, { limit: 100 });
  const stored: Record<string, unknown> = {};
  for (const e of entries) stored[String(e.key[1])] = e.value;
  return resolveConfig(stored);
}

/**
 * Stores one validated value, after checking the resulting configuration as a whole.
 *
 * @example
 * ```ts
 * import type { Store } from "./open.ts";
 * declare const store: Store;
 * await writeConfig(store, "max_retries", 5);
 * ```
 */
export async function writeConfig<K extends keyof Config>(
  store: Store,
  key: K,
  value: Config[K],
): Promise<void> {
  const next = { ...await readConfig(store), [key]: value };
  validateConfig(next);
  await store.db.commit(new Tx().set(keys.config(key), value));
}

/**
 * Removes every stored value, so the defaults apply again.
 *
 * @example
 * ```ts
 * import type { Store } from "./open.ts";
 * declare const store: Store;
 * await resetConfig(store);
 * ```
 */
export async function resetConfig(store: Store): Promise<void> {
  const entries = await store.db.list<unknown>({ prefix: keys.configAll }, { limit: 100 });
  const tx = new Tx();
  for (const e of entries) tx.delete(e.key);
  if (!tx.empty) await store.db.commit(tx);
}
