/**
 * Who this process is: its host name (overridable with `QUEUECTL_HOSTNAME`, so tests can play
 * several hosts on one machine) and a worker id that is unique per process.
 *
 * @module
 */

/**
 * This host's name, from `QUEUECTL_HOSTNAME` or the system.
 *
 * @example
 * ```ts
 * hostName(); // "build-7"
 * ```
 */
export function hostName(): string {
  const override = Deno.env.get("QUEUECTL_HOSTNAME");
  if (override) return override;
  try {
    return Deno.hostname();
  } catch {
    return "localhost";
  }
}

/**
 * A new worker id: host, pid and a random suffix. Never reused, so a restarted worker is never
 * mistaken for the one whose jobs must be recovered.
 *
 * @example
 * ```ts
 * workerId("build-7", 4242); // "build-7:4242:k3x9"
 * ```
 */
export function workerId(host: string, pid: number): string {
  const rand = crypto.getRandomValues(new Uint32Array(1))[0]!.toString(36).slice(0, 4);
  return `${host}:${pid}:${rand}`;
}
