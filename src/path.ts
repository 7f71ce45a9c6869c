/**
 * The few POSIX path helpers the CLI needs, without `node:path`: loading Node's compatibility
 * layer costs every `queuectl` start tens of milliseconds. Jobs run through `sh -c`, so POSIX
 * paths are all there is.
 *
 * @module
 */

/**
 * Joins path segments with `/`, collapsing repeated slashes (an empty result is ".").
 *
 * @example
 * ```ts
 * join("/home/me", ".queuectl", "x.log"); // "/home/me/.queuectl/x.log"
 * ```
 */
export function join(...parts: string[]): string {
  const joined = parts.filter((p) => p !== "").join("/").replace(/\/{2,}/g, "/");
  return joined === "" ? "." : joined;
}

/**
 * The folder part of a path, like `dirname(1)`.
 *
 * @example
 * ```ts
 * dirname("/tmp/q.db"); // "/tmp"
 * dirname("q.db"); // "."
 * ```
 */
export function dirname(path: string): string {
  const trimmed = path.replace(/\/+$/, "");
  if (trimmed === "") return path.startsWith("/") ? "/" : ".";
  const i = trimmed.lastIndexOf("/");
  if (i < 0) return ".";
  if (i === 0) return "/";
  return trimmed.slice(0, i).replace(/\/+$/, "") || "/";
}
