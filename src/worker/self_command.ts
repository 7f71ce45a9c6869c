/**
 * How this program starts another copy of itself (worker children, a detached supervisor),
 * whether it runs as `deno run main.ts` or as a `deno compile` binary.
 *
 * @module
 */
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/**
 * The executable and arguments that run this program with `args`.
 *
 * @example
 * ```ts
 * const { cmd, args } = selfCommand(["worker", "run"]);
 * new Deno.Command(cmd, { args });
 * ```
 */
export function selfCommand(args: string[]): { cmd: string; args: string[] } {
  const exec = Deno.execPath();
  if (!/(^|[\\/])deno(\.exe)?$/.test(exec)) return { cmd: exec, args }; // a compiled binary
  const main = Deno.mainModule;
  const pre = ["run", "-A", "--unstable-kv"];
  if (main.startsWith("file:")) {
    const config = join(dirname(fileURLToPath(main)), "deno.json");
    try {
      Deno.statSync(config);
      pre.push("--config", config);
    } catch {
      // Run without a config: the import map is then the one baked into the lock, if any.
    }
  }
  return { cmd: exec, args: [...pre, main, ...args] };
}
