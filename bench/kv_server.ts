/**
 * The bench's KV Connect server: the tests' protocol server in its own process, on a free
 * port, and the URL it prints once it listens.
 *
 * @module
 */
import { DENO, ROOT } from "./lib.ts";

/**
 * Starts `tests/support/kv_connect_server.ts` on a free port with `token`. `early`: the value of
 * QUEUECTL_KV_SERVER_EARLY_HEADERS ("0": headers only after the body is read, as denokv does);
 * `path`: a SQLite file instead of memory. Pass the child to {@linkcode listening} for its URL.
 *
 * @example
 * ```ts
 * const server = startKvServer({ token: "queuectl-lab-token-0123" });
 * const url = await listening(server);
 * ```
 */
export function startKvServer(
  options: { token: string; early?: string; path?: string },
): Deno.ChildProcess {
  return new Deno.Command(DENO, {
    args: [
      "run",
      "-A",
      "--unstable-kv",
      `${ROOT}/tests/support/kv_connect_server.ts`,
      "--port",
      "0",
      "--token",
      options.token,
      ...(options.path ? ["--path", options.path] : []),
    ],
    env: options.early ? { QUEUECTL_KV_SERVER_EARLY_HEADERS: options.early } : {},
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }).spawn();
}

/**
 * Reads the server's stderr until it names its URL, then drains it in the background.
 *
 * @example
 * ```ts
 * const url = await listening(startKvServer({ token: "queuectl-lab-token-0123" }));
 * ```
 */
export async function listening(child: Deno.ChildProcess): Promise<string> {
  const lines = child.stderr.pipeThrough(new TextDecoderStream()).getReader();
  let seen = "";
  for (;;) {
    const { value, done } = await lines.read();
    if (done) throw new Error(`the KV Connect server exited: ${seen.trim()}`);
    seen += value;
    const m = seen.match(/listening on (http:\/\/\S+)/);
    if (m) {
      (async () => {
        while (!(await lines.read()).done) { /* discard */ }
      })().catch(() => {});
      return m[1]!;
    }
  }
}
