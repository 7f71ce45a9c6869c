/**
 * A real `queuectl web` subprocess on a free loopback port, for the CLI and browser tests.
 *
 * @module
 */
import { cliArgv, type TempDb } from "./helpers.ts";

/** A running `queuectl web`. */
export interface WebServer extends AsyncDisposable {
  /** The URL it printed, e.g. `http://127.0.0.1:41234`, without the trailing slash. */
  url: string;
  /** Everything it printed on stdout and stderr so far. */
  output(): string;
  /** Sends SIGINT (Ctrl+C) and returns the exit code. */
  stop(): Promise<number>;
}

/**
 * Starts `queuectl web --port 0 [...args]` against `db` and waits for the URL it prints.
 *
 * @example
 * ```ts
 * import { tempDb } from "./helpers.ts";
 * await using db = await tempDb();
 * await using web = await startWeb(db);
 * await fetch(web.url + "/api/status");
 * ```
 */
export async function startWeb(
  db: TempDb,
  args: string[] = [],
  options: { env?: Record<string, string> } = {},
): Promise<WebServer> {
  const child = new Deno.Command(Deno.execPath(), {
    args: [...cliArgv(), "web", "--port", "0", ...args],
    env: { ...db.env, ...options.env },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  let out = "";
  let resolveUrl: (url: string) => void;
  const urlSeen = new Promise<string>((r) => (resolveUrl = r));
  const pump = async (stream: ReadableStream<Uint8Array>) => {
    const dec = new TextDecoder();
    for await (const chunk of stream) {
      out += dec.decode(chunk, { stream: true });
      const m = /serving (http:\/\/\S+?)\/ /.exec(out);
      if (m) resolveUrl(m[1]!);
    }
  };
  const reading = Promise.all([pump(child.stdout), pump(child.stderr)]);
  const timeout = new Promise<never>((_, reject) =>
    setTimeout(() => reject(new Error(`queuectl web printed no URL in 20 s:\n${out}`)), 20_000)
  );
  const exited = child.status.then((s) => {
    throw new Error(`queuectl web exited ${s.code} before serving:\n${out}`);
  });
  let url: string;
  try {
    url = await Promise.race([urlSeen, timeout, exited]);
  } catch (err) {
    try {
      child.kill("SIGKILL");
    } catch {
      // Already gone.
    }
    await reading;
    throw err;
  }
  exited.catch(() => {});
  let stopped: Promise<number> | null = null;
  const stop = () => {
    stopped ??= (async () => {
      try {
        child.kill("SIGINT");
      } catch {
        // Already exited.
      }
      const kill = setTimeout(() => child.kill("SIGKILL"), 10_000);
      const { code } = await child.status;
      clearTimeout(kill);
      await reading;
      return code;
    })();
    return stopped;
  };
  return { url, output: () => out, stop, [Symbol.asyncDispose]: async () => void await stop() };
}
