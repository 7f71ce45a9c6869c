/**
 * Measurements `doctor` reports about the connection to the store: the round-trip time of a
 * read, the time of a small and of a 1.2 KB commit, and whether a write reaches a watcher (and
 * how fast).
 *
 * @module
 */
import { keys } from "./keys.ts";
import type { Store } from "./open.ts";
import { Tx } from "./tx.ts";

/**
 * The median time of `samples` single-key reads, in ms.
 *
 * @example
 * ```ts
 * import type { Store } from "./open.ts";
 * declare const store: Store;
 * await roundTripMs(store); // 0.2 locally, a network round trip remotely
 * ```
 */
export async function roundTripMs(store: Store, samples = 5): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < samples; i++) {
    const t0 = performance.now();
    await store.db.get(keys.probe);
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)]!;
}

/** The median times of a small commit and of one past 1 KB, in ms. */
export interface CommitTimes {
  /** A commit of a 100-byte value. */
  small_ms: number;
  /** A commit of a 1,200-byte value: a request body past 1,024 bytes. */
  large_ms: number;
}

/**
 * Over KV Connect, Deno's client writes a request body of 1,024 bytes or more in two parts and
 * keeps Nagle's algorithm on, so the second part waits for the server host's delayed ACK: every
 * commit that moves a job then takes about 40 ms more (docs/SCALING.md). This times a small and
 * a large commit (`samples` each, median) on the probe key, whose value nobody reads; null when
 * the store takes no writes.
 *
 * @example
 * ```ts
 * import type { Store } from "./open.ts";
 * declare const store: Store;
 * const times = await commitTimesMs(store); // { small_ms: 1.1, large_ms: 44.2 } on denokv
 * ```
 */
export async function commitTimesMs(store: Store, samples = 3): Promise<CommitTimes | null> {
  if (store.readOnly !== null) return null;
  const median = async (bytes: number) => {
    const times: number[] = [];
    for (let i = 0; i < samples; i++) {
      const t0 = performance.now();
      await store.db.commit(new Tx().set(keys.probe, "x".repeat(bytes)));
      times.push(performance.now() - t0);
    }
    times.sort((a, b) => a - b);
    return times[Math.floor(times.length / 2)]!;
  };
  try {
    // The large one first, so that the probe key is left small.
    const large = await median(1_200);
    return { small_ms: await median(100), large_ms: large };
  } catch {
    // A file that became read-only after it was opened refuses the write; doctor still reads.
    return null;
  }
}

/**
 * True when a commit past 1 KB takes 20 ms or more longer than a small one: the delayed-ACK
 * wait of {@linkcode commitTimesMs}, not noise (pure).
 *
 * @example
 * ```ts
 * largeCommitsWait({ small_ms: 1.1, large_ms: 44.2 }); // true
 * largeCommitsWait({ small_ms: 1.1, large_ms: 1.4 }); // false
 * ```
 */
export function largeCommitsWait(times: CommitTimes): boolean {
  return times.large_ms - times.small_ms >= 20;
}

/** Whether a write reached a watcher of its key, and after how long. */
export interface WatchCheck {
  /** True when the change arrived within the timeout. */
  delivered: boolean;
  /** From the write's commit to its arrival, in ms; null when it never came. */
  ms: number | null;
}

/**
 * Writes a probe key and waits for a watch on it to see the change. On a remote KV this is the
 * path that wakes idle workers. On a local file it proves little (a process sees its own
 * writes, never another's); local workers use the doorbell file instead.
 *
 * @example
 * ```ts
 * import type { Store } from "./open.ts";
 * declare const store: Store;
 * const { delivered, ms } = await checkWatch(store);
 * ```
 */
export async function checkWatch(store: Store, timeoutMs = 3000): Promise<WatchCheck> {
  const reader = store.db.watch([keys.probeWatch]).getReader();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<null>((r) => (timer = setTimeout(() => r(null), timeoutMs)));
  try {
    const first = await Promise.race([reader.read(), late]);
    if (!first || first.done) return { delivered: false, ms: null };
    const before = first.value[0]?.versionstamp ?? null;
    const t0 = performance.now();
    await store.db.set(keys.probeWatch, Date.now());
    const written = performance.now();
    for (;;) {
      const next = await Promise.race([reader.read(), late]);
      if (!next || next.done) return { delivered: false, ms: null };
      if ((next.value[0]?.versionstamp ?? null) !== before) {
        // Timed from the commit's answer: the write's own round trip is not the watch's delay.
        return { delivered: true, ms: Math.max(0, performance.now() - Math.max(t0, written)) };
      }
    }
  } finally {
    clearTimeout(timer);
    reader.cancel().catch(() => {});
  }
}

/** How idle workers of this store are woken, and whether that works right now. */
export interface WakeCheck extends WatchCheck {
  /** The doorbell's mechanism. */
  kind: Store["doorbell"]["kind"];
}

/**
 * Rings the store's doorbell once and reports whether it was heard: the watch on a remote KV,
 * the inotify file locally. Idle workers wake once from it and find nothing, which is harmless.
 *
 * @example
 * ```ts
 * import type { Store } from "./open.ts";
 * declare const store: Store;
 * const wake = await checkWake(store); // { kind: "watch", delivered: true, ms: 2.1 }
 * ```
 */
export async function checkWake(store: Store, timeoutMs = 3000): Promise<WakeCheck> {
  const kind = store.doorbell.kind;
  if (kind === "watch") return { kind, ...await checkWatch(store, timeoutMs) };
  if (kind === "none") return { kind, delivered: false, ms: null };
  store.doorbell.arm();
  const t0 = performance.now();
  await store.doorbell.ring();
  await store.doorbell.wait(timeoutMs);
  const ms = performance.now() - t0;
  return ms < timeoutMs ? { kind, delivered: true, ms } : { kind, delivered: false, ms: null };
}
