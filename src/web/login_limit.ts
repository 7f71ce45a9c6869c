/**
 * The login form's rate limit: a client address that sent `failures` wrong tokens within
 * `windowMs` must wait until the oldest of them is that old, so guessing costs a minute per five
 * tries. The decision is a pure function of the failure times and `now`; `LoginLimiter` only
 * keeps those times per address.
 *
 * @module
 */

/** Limits of the login form. */
export interface LoginLimits {
  /** Wrong tokens allowed per window. Default 5. */
  failures: number;
  /** The window, in ms. Default 60,000. */
  windowMs: number;
}

/** The default limits: 5 wrong tokens a minute. */
export const LOGIN_LIMITS: LoginLimits = { failures: 5, windowMs: 60_000 };

/**
 * How long (ms) a client whose wrong tokens came at `failures` (oldest first) must wait before it
 * may try again; 0 when it may try now (pure).
 *
 * @example
 * ```ts
 * loginWait([0, 1, 2, 3, 4], 10, LOGIN_LIMITS); // 59_990: the fifth failure within a minute
 * loginWait([0, 1, 2, 3, 4], 60_000, LOGIN_LIMITS); // 0: the first one has left the window
 * ```
 */
export function loginWait(
  failures: readonly number[],
  now: number,
  limits: LoginLimits = LOGIN_LIMITS,
): number {
  const recent = failures.filter((t) => now - t < limits.windowMs);
  if (recent.length < limits.failures) return 0;
  return recent[recent.length - limits.failures]! + limits.windowMs - now;
}

/** Options of {@linkcode LoginLimiter}. */
export interface LoginLimiterOptions extends Partial<LoginLimits> {
  /**
   * Addresses remembered at most; the one seen least recently is forgotten first, so a flood of
   * addresses costs bounded memory. Default 10,000.
   */
  maxClients?: number;
}

/**
 * The recent wrong tokens of each client address.
 *
 * @example
 * ```ts
 * const limiter = new LoginLimiter();
 * if (limiter.wait("127.0.0.1", Date.now()) === 0) limiter.failed("127.0.0.1", Date.now());
 * ```
 */
export class LoginLimiter {
  readonly #limits: LoginLimits;
  readonly #maxClients: number;
  // Insertion order is recency order: failed() re-inserts, so the first key is the stalest.
  readonly #failures = new Map<string, number[]>();

  /** @param options the limits and how many addresses to remember */
  constructor(options: LoginLimiterOptions = {}) {
    this.#limits = {
      failures: options.failures ?? LOGIN_LIMITS.failures,
      windowMs: options.windowMs ?? LOGIN_LIMITS.windowMs,
    };
    this.#maxClients = options.maxClients ?? 10_000;
  }

  /** How long (ms) `client` must wait before its next try; 0 when it may try now. */
  wait(client: string, now: number): number {
    return loginWait(this.#failures.get(client) ?? [], now, this.#limits);
  }

  /** Records a wrong token from `client` at `now`. */
  failed(client: string, now: number): void {
    const kept = (this.#failures.get(client) ?? []).filter((t) => now - t < this.#limits.windowMs);
    kept.push(now);
    this.#failures.delete(client);
    this.#failures.set(client, kept.slice(-this.#limits.failures));
    if (this.#failures.size > this.#maxClients) {
      this.#failures.delete(this.#failures.keys().next().value!);
    }
  }
}
