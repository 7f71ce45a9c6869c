/**
 * A running job's side of a stop: a graceful stop starts its grace period, after which the job
 * is interrupted; a forced stop interrupts it at once.
 *
 * @module
 */

/**
 * Watches the stop signals for one running job; returns the function that stops watching.
 *
 * @example
 * ```ts
 * const stop = new AbortController();
 * const unwatch = watchStop({ signal: stop.signal }, {
 *   graceMs: 30_000,
 *   interrupt: () => console.log("interrupting the job"),
 * });
 * unwatch(); // the job ended
 * ```
 */
export function watchStop(
  signals: { signal: AbortSignal; force?: AbortSignal },
  options: { graceMs: number; interrupt: () => void },
): () => void {
  let grace: ReturnType<typeof setTimeout> | undefined;
  const { interrupt } = options;
  const onStop = () => {
    grace = setTimeout(interrupt, options.graceMs);
  };
  if (signals.signal.aborted) onStop();
  else signals.signal.addEventListener("abort", onStop, { once: true });
  if (signals.force?.aborted) interrupt();
  else signals.force?.addEventListener("abort", interrupt, { once: true });
  return () => {
    clearTimeout(grace);
    signals.signal.removeEventListener("abort", onStop);
    signals.force?.removeEventListener("abort", interrupt);
  };
}
