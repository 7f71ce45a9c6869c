/**
 * `doctor --repair` for unique keys: deleting the `["unique", K]` entries that hold nothing
 * (their holder gone or final, past any window), each in one operation that checks the entry
 * and the holder's record it read together.
 *
 * @module
 */
import type { Job } from "../job.ts";
import { type UniqueEntry, uniqueHeld } from "../unique.ts";
import { Tx } from "./db.ts";
import { keys } from "./keys.ts";
import { scan } from "./doctor_snapshot.ts";
import type { Store } from "./open.ts";

/**
 * Deletes every stray unique entry at `options.now`; returns how many it deleted. An entry or
 * holder that changes meanwhile is left alone.
 *
 * @example
 * ```ts
 * import type { Store } from "./open.ts";
 * declare const store: Store;
 * const deleted = await deleteStrayUnique(store, { now: Date.now() });
 * ```
 */
export async function deleteStrayUnique(store: Store, options: { now: number }): Promise<number> {
  let deleted = 0;
  for await (const found of scan<UniqueEntry>(store, keys.uniqueAll)) {
    const [entry, holder] = await store.db.getMany<unknown>([
      found.key,
      keys.job(found.value.id),
    ]);
    const value = entry!.value as UniqueEntry | null;
    if (value === null || value.id !== found.value.id) continue;
    if (uniqueHeld(value, holder!.value as Job | null, options.now)) continue;
    const tx = new Tx()
      .check(entry!.key, entry!.versionstamp)
      .check(holder!.key, holder!.versionstamp)
      .delete(entry!.key);
    if (await store.db.commit(tx) !== null) deleted++;
  }
  return deleted;
}
