/**
 * How a worker process and its supervisor are asked to stop, by signal alone: the database may be
 * full or unreachable, and a stop must still work.
 *
 * @module
 */

/** Signals that ask for a graceful stop; a second one forces it. */
const STOP_SIGNALS = ["SIGINT", "SIGTERM"] as const;

/**
 * Calls `onStop(false)` on the first SIGINT or SIGTERM, `onStop(true)` on the next, and
 * `onStop(true)` on SIGQUIT, which `worker stop --force` sends. Dispose of the result to stop
 * listening.
 *
 * @example
 * ```ts
 * const stop = new AbortController();
 * const force = new AbortController();
 * using _signals = listenForStop((forced) => forced ? force.abort() : stop.abort());
 * ```
 */
export function listenForStop(onStop: (forced: boolean) => void): Disposable {
  let signals = 0;
  const onSignal = () => onStop(++signals > 1);
  const onQuit = () => onStop(true);
  for (const sig of STOP_SIGNALS) Deno.addSignalListener(sig, onSignal);
  Deno.addSignalListener("SIGQUIT", onQuit);
  return {
    [Symbol.dispose]() {
      for (const sig of STOP_SIGNALS) Deno.removeSignalListener(sig, onSignal);
      Deno.removeSignalListener("SIGQUIT", onQuit);
    },
  };
}
