/**
 * A queue on a KV Connect server for end-to-end tests: the test server in this process, and a
 * {@linkcode TempDb} whose environment points the CLI and its workers at it.
 *
 * @module
 */
import { type TempDb, tempDb } from "../helpers.ts";
import { type KvConnectServer, startKvConnectServer } from "./kv_connect_server.ts";

/** The access token of test servers (denokv wants at least 12 characters). */
export const TEST_TOKEN = "queuectl-test-token-0123";

/** A remote queue: the server, and a TempDb whose `env` reaches it. */
export interface RemoteQueue extends AsyncDisposable {
  server: KvConnectServer;
  db: TempDb;
}

/**
 * Starts a KV Connect test server and a temp folder whose env points at it.
 *
 * @example
 * ```ts
 * import { cliOk } from "../helpers.ts";
 * await using q = await remoteQueue();
 * await cliOk(q.db, ["enqueue", "--command", "true"]);
 * ```
 */
export async function remoteQueue(options: { clockOffsetMs?: number } = {}): Promise<RemoteQueue> {
  const server = await startKvConnectServer({ token: TEST_TOKEN, ...options });
  const local = await tempDb();
  const db: TempDb = {
    ...local,
    path: server.url,
    env: { ...local.env, QUEUECTL_DB: server.url, DENO_KV_ACCESS_TOKEN: TEST_TOKEN },
  };
  return {
    server,
    db,
    async [Symbol.asyncDispose]() {
      await server.close();
      await local.cleanup();
    },
  };
}

/** A port on 127.0.0.1 that nothing listens on (it was free a moment ago). */
export function closedPort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  return port;
}
