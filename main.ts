/**
 * queuectl: a background job queue for shell commands, on Deno KV.
 *
 * ```sh
 * deno run -A main.ts enqueue --command "echo hi"
 * deno run -A main.ts worker start --count 2
 * ```
 *
 * @module
 */
import { runCli } from "./src/cli/mod.ts";

if (import.meta.main) Deno.exit(await runCli(Deno.args));
