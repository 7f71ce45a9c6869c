/**
 * A process that logs like the supervisor, for `bad_env_log_test.ts`: `first` numbered lines,
 * then "ready" on stdout, then (after any line on stdin) `then` more lines, all through the
 * real Logger to stderr.
 *
 * Usage: `deno run log_lines.ts FIRST THEN`
 *
 * @module
 */
import { Logger } from "../../src/log.ts";

const [first, then] = Deno.args.map(Number) as [number, number];
const log = new Logger({ fields: { supervisor: Deno.pid } });
const pad = "x".repeat(60);
let n = 0;
const burst = (count: number) => {
  for (let i = 0; i < count; i++) log.warn("worker.crashed", { slot: 1, n: n++, pad, end: "yes" });
};
burst(first);
await Deno.stdout.write(new TextEncoder().encode("ready\n"));
await Deno.stdin.readable.getReader().read();
burst(then);
