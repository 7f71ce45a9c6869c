import { deepStrictEqual } from "node:assert/strict";
import { listenForStop } from "./stop_signals.ts";

/** Sends `signal` to this process and waits until `seen` has grown. */
async function send(signal: Deno.Signal, seen: boolean[]): Promise<void> {
  const before = seen.length;
  Deno.kill(Deno.pid, signal);
  while (seen.length === before) await new Promise((r) => setTimeout(r, 5));
}

// SIGINT is left out: the test runner takes it for itself.
Deno.test("listenForStop: the first SIGTERM asks gently, the next one forces, SIGQUIT forces at once", async () => {
  const seen: boolean[] = [];
  {
    using _signals = listenForStop((forced) => seen.push(forced));
    await send("SIGTERM", seen);
    await send("SIGTERM", seen);
    await send("SIGQUIT", seen);
  }
  deepStrictEqual(seen, [false, true, true]);
});
