/**
 * How this program starts another copy of itself (worker children, a detached supervisor),
 * whether it runs as `deno run main.ts` or as a `deno compile` binary.
 *
 * @module
 */

/**
 * The executable and arguments that run this program with `args`, optionally with V8 flags (as
 * `--v8-flags`, which unlike `DENO_V8_FLAGS` the job processes do not inherit).
 *
 * @example
 * ```ts
 * const { cmd, args } = selfCommand(["worker", "run"]);
 * new Deno.Command(cmd, { args });
 * ```
 */
export function selfCommand(
  args: string[],
  options: { v8Flags?: readonly string[] } = {},
): { cmd: string; args: string[] } {
  const exec = Deno.execPath();
  // A compiled binary takes no runtime flags: its V8 flags are the ones it was compiled with.
  if (!/(^|[\\/])deno(\.exe)?$/.test(exec)) return { cmd: exec, args };
  const main = Deno.mainModule;
  const pre = ["run", "-A", "--unstable-kv"];
  if (options.v8Flags?.length) pre.push(`--v8-flags=${options.v8Flags.join(",")}`);
  if (main.startsWith("file:")) {
    // The deno.json beside main.ts (a file: URL, POSIX path: no node:url needed).
    const config = decodeURIComponent(new URL("deno.json", main).pathname);
    try {
      Deno.statSync(config);
      pre.push("--config", config);
    } catch {
      // Run without a config: the import map is then the one baked into the lock, if any.
    }
  }
  return { cmd: exec, args: [...pre, main, ...args] };
}
