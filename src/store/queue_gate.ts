/**
 * A queue's gate inside a claim: the keys a claim reads beside the job record (the settings
 * record, and the running counter or the start ring when the queue has a limit or a rate), the
 * decision on what was read (`startGate` in `queue.ts`), and the checks and writes that make the
 * claim's atomic op fail if any of it changed before the commit.
 *
 * @module
 */
import { nextStarts, type QueueSettings, startGate } from "../queue.ts";
import type { Tx } from "./tx.ts";
import { keys } from "./keys.ts";

/** What a claim read about one queue, fresh, in the getMany of its candidates' records. */
export interface QueueGate {
  /** The queue's name. */
  queue: string;
  /** The settings record as read (value null: no record, no limits). */
  settings: Deno.KvEntryMaybe<QueueSettings>;
  /** The queue's `processing` counter as read, when the queue has a concurrency limit. */
  running?: Deno.KvEntryMaybe<Deno.KvU64>;
  /** The start ring as read, when the queue has a rate. */
  starts?: Deno.KvEntryMaybe<number[]>;
}

/**
 * The keys to read for a queue's gate, given its settings as last seen (the cache): the record
 * always, the counter for a limit, the ring for a rate.
 *
 * @example
 * ```ts
 * gateKeys("mail", null); // [["queue", "mail"]]
 * ```
 */
export function gateKeys(queue: string, seen: QueueSettings | null): Deno.KvKey[] {
  const out: Deno.KvKey[] = [keys.queue(queue)];
  if (seen?.concurrency != null) out.push(keys.qcount(queue, "processing"));
  if (seen?.rate != null) out.push(keys.qstarts(queue));
  return out;
}

/**
 * Builds a queue's gate from the entries of `gateKeys(queue, seen)` as read, in that order, or
 * returns null when the record read now needs a key that was not read (its settings changed
 * since they were seen: the caller reads the registry again).
 *
 * @example
 * ```ts
 * declare const entries: Deno.KvEntryMaybe<unknown>[];
 * const gate = gateFrom("mail", null, entries);
 * ```
 */
export function gateFrom(
  queue: string,
  seen: QueueSettings | null,
  entries: readonly Deno.KvEntryMaybe<unknown>[],
): QueueGate | null {
  let i = 0;
  const gate: QueueGate = {
    queue,
    settings: entries[i++] as Deno.KvEntryMaybe<QueueSettings>,
  };
  if (seen?.concurrency != null) gate.running = entries[i++] as Deno.KvEntryMaybe<Deno.KvU64>;
  if (seen?.rate != null) gate.starts = entries[i++] as Deno.KvEntryMaybe<number[]>;
  const now = gate.settings.value;
  if (now?.concurrency != null && !gate.running) return null;
  if (now?.rate != null && !gate.starts) return null;
  return gate;
}

/**
 * The gate's verdict at `now` (pure): `leaving` jobs of the queue leave `processing` in the
 * same operation (a handoff's finished job).
 *
 * @example
 * ```ts
 * import type { QueueGate } from "./queue_gate.ts";
 * declare const gate: QueueGate;
 * gateVerdict(gate, Date.now(), 0).ok;
 * ```
 */
export function gateVerdict(
  gate: QueueGate,
  now: number,
  leaving: number,
): ReturnType<typeof startGate> {
  const running = gate.running?.value ? Number(gate.running.value.value) : 0;
  const starts = gate.starts?.value ?? [];
  return startGate(gate.settings.value, { running, starts, leaving }, now);
}

/**
 * Adds the gate to a claim's atomic op: a check of every key read, so a pause, a limit or rate
 * change, another start or another claim of a limited queue in between fails the commit; and,
 * for a rate, the ring with this start added. The running counter itself moves in
 * `applyTransition`. At most three checks.
 *
 * @example
 * ```ts
 * import type { QueueGate } from "./queue_gate.ts";
 * import { Tx } from "./tx.ts";
 * declare const gate: QueueGate;
 * addGate(new Tx(), gate, Date.now());
 * ```
 */
export function addGate(tx: Tx, gate: QueueGate, now: number): void {
  tx.check(gate.settings.key, gate.settings.versionstamp);
  const rate = gate.settings.value?.rate ?? null;
  if (gate.settings.value?.concurrency != null && gate.running) {
    tx.check(gate.running.key, gate.running.versionstamp);
  }
  if (rate !== null && gate.starts) {
    tx.check(gate.starts.key, gate.starts.versionstamp);
    tx.set(gate.starts.key, nextStarts(gate.starts.value ?? [], rate, now));
  }
}
