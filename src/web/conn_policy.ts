/**
 * What the gate (`conn_gate.ts`) decides about connections, as pure functions of their state and
 * `now`: when one has waited too long on its client, and whether a new one may open and which
 * it displaces. A connection is "waiting on its client" while it owes us a head or a body, or
 * does not read its response; one the server is still answering is never displaced.
 *
 * @module
 */

/** The gate's limits. */
export interface ConnLimits {
  /** A request's head must arrive within this (ms) of the connection going idle. */
  headerTimeoutMs: number;
  /** Its body must arrive within this (ms) of its head; a response write may stall as long. */
  bodyTimeoutMs: number;
  /** Open connections per client address (`clientKey`). */
  maxPerClient: number;
  /** Open connections in all. */
  maxConnections: number;
}

/** The defaults: 10 s for a head, 30 s for a body, 32 connections a client, 512 in all. */
export const CONN_LIMITS: ConnLimits = {
  headerTimeoutMs: 10_000,
  bodyTimeoutMs: 30_000,
  maxPerClient: 32,
  maxConnections: 512,
};

/** A response write blocked this long (ms) means the client is not reading: it may be displaced. */
export const WRITE_STALL_MS = 1000;

/** What the policy needs to know about one open connection. */
export interface ConnState {
  /** Its client's key (`clientKey`). */
  client: string;
  /** Reading a request's head (or idle between requests), or forwarding its body. */
  phase: "head" | "body";
  /** When the phase began (epoch ms). */
  phaseSince: number;
  /** Requests the server is answering on it. */
  inflight: number;
  /** When `inflight` last dropped to 0 (epoch ms). */
  idleSince: number;
  /** When the response write now blocked began, or null when none is. */
  writingSince: number | null;
}

/**
 * Since when `c` has been waiting on its client, or null while the server works for it (pure).
 *
 * @example
 * ```ts
 * waitingSince({ client: "a", phase: "body", phaseSince: 5, inflight: 1, idleSince: 0,
 *   writingSince: null }, 9); // 5
 * ```
 */
export function waitingSince(c: ConnState, now: number): number | null {
  if (c.writingSince !== null) {
    return now - c.writingSince >= WRITE_STALL_MS ? c.writingSince : null;
  }
  if (c.phase === "body") return c.phaseSince;
  return c.inflight === 0 ? Math.max(c.phaseSince, c.idleSince) : null;
}

/**
 * Which deadline `c` has missed at `now`, if any (pure): its head (`header`), its body (`body`),
 * or reading its response (`write`).
 *
 * @example
 * ```ts
 * overdue({ client: "a", phase: "head", phaseSince: 0, inflight: 0, idleSince: 0,
 *   writingSince: null }, 10_001, CONN_LIMITS); // "header"
 * ```
 */
export function overdue(
  c: ConnState,
  now: number,
  limits: ConnLimits,
): "header" | "body" | "write" | null {
  if (c.writingSince !== null) return now - c.writingSince > limits.bodyTimeoutMs ? "write" : null;
  if (c.phase === "body") return now - c.phaseSince > limits.bodyTimeoutMs ? "body" : null;
  if (c.inflight > 0) return null;
  return now - Math.max(c.phaseSince, c.idleSince) > limits.headerTimeoutMs ? "header" : null;
}

/**
 * Whether a new connection from `client` may open (pure): `{ evict }` names the open ones to
 * close first, those that have waited longest on their clients, so that slow clients at a cap
 * make room instead of locking others (the owner on the same loopback address included); null
 * refuses it, when every connection at the cap is being answered.
 *
 * @example
 * ```ts
 * admit(new Map(), "127.0.0.1", Date.now(), CONN_LIMITS); // { evict: [] }
 * ```
 */
export function admit<Id>(
  open: ReadonlyMap<Id, ConnState>,
  client: string,
  now: number,
  limits: ConnLimits,
): { evict: Id[] } | null {
  const evict: Id[] = [];
  const mine = [...open].filter(([, c]) => c.client === client);
  if (mine.length >= limits.maxPerClient) {
    const id = longestWaiting(mine, now, evict);
    if (id === undefined) return null;
    evict.push(id);
  }
  if (open.size - evict.length >= limits.maxConnections) {
    const id = longestWaiting([...open], now, evict);
    if (id === undefined) return null;
    evict.push(id);
  }
  return { evict };
}

function longestWaiting<Id>(
  conns: readonly [Id, ConnState][],
  now: number,
  skip: readonly Id[],
): Id | undefined {
  let best: Id | undefined;
  let bestSince = Infinity;
  for (const [id, c] of conns) {
    const since = waitingSince(c, now);
    if (since !== null && since < bestSince && !skip.includes(id)) {
      best = id;
      bestSince = since;
    }
  }
  return best;
}
