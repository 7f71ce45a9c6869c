/**
 * The test KV Connect server's commits through Deno's real remote client, in both of its modes:
 * headers before the body is read (the default, which spares a commit of 1,024 bytes or more
 * the 40 ms delayed-ACK wait; docs/SCALING.md) and after it, as denokv answers. Either way a
 * commit lands, a stale check fails it, and a write the server refuses is an error, not a hang.
 *
 * @module
 */
import { deepStrictEqual, equal, ok, rejects } from "node:assert/strict";
import {
  type KvConnectServer,
  SPLIT_BODY_BYTES,
  startKvConnectServer,
} from "./support/kv_connect_server.ts";
import { TEST_TOKEN } from "./support/remote_queue.ts";

/** A server in this process and a remote handle on it, closed together. */
async function remoteKv(earlyHeaders: boolean) {
  Deno.env.set("DENO_KV_ACCESS_TOKEN", TEST_TOKEN);
  const server = await startKvConnectServer({ token: TEST_TOKEN, earlyHeaders });
  const kv = await Deno.openKv(server.url);
  return {
    server,
    kv,
    async [Symbol.asyncDispose]() {
      kv.close();
      await server.close();
    },
  };
}

/** Commits one value of `bytes` characters under `key`, checking that `key` is still `vs`. */
function commitSized(kv: Deno.Kv, key: Deno.KvKey, vs: string | null, bytes: number) {
  return kv.atomic().check({ key, versionstamp: vs }).set(key, "x".repeat(bytes)).commit();
}

for (const earlyHeaders of [true, false]) {
  const mode = earlyHeaders ? "headers sent early" : "headers after the body";
  Deno.test(`commits past 1 KB land and a stale check fails them (${mode})`, async () => {
    await using r = await remoteKv(earlyHeaders);
    for (const bytes of [200, 1_200, 4_096, 16_384]) {
      const key = ["sized", bytes];
      const first = await commitSized(r.kv, key, null, bytes);
      ok(first.ok, `the first commit of ${bytes} bytes lands`);
      const stale = await commitSized(r.kv, key, null, bytes);
      equal(stale.ok, false, `a commit of ${bytes} bytes with a stale check fails`);
      const again = await commitSized(r.kv, key, first.versionstamp, bytes);
      ok(again.ok, `a commit of ${bytes} bytes with the current versionstamp lands`);
      equal(((await r.kv.get<string>(key)).value ?? "").length, bytes);
    }
  });

  Deno.test(`a commit the server refuses is an error, not a retry (${mode})`, async () => {
    await using r = await remoteKv(earlyHeaders);
    // Deno's client allows 100 checks; a KV Connect server allows 10.
    const op = r.kv.atomic();
    for (let i = 0; i < 11; i++) op.check({ key: ["c", i], versionstamp: null });
    op.set(["refused"], "x".repeat(2_000));
    await rejects(op.commit());
    equal((await r.kv.get(["refused"])).value, null, "nothing was written");
  });
}

Deno.test("the test server counts the commits whose body reaches the split size", async () => {
  await using r = await remoteKv(true);
  const server: KvConnectServer = r.server;
  await r.kv.set(["small"], "x".repeat(100));
  await r.kv.set(["large"], "x".repeat(SPLIT_BODY_BYTES + 100));
  deepStrictEqual({ count: server.writes.count, split: server.writes.split }, {
    count: 2,
    split: 1,
  });
  ok(server.writes.max > SPLIT_BODY_BYTES + 100, `largest body ${server.writes.max} bytes`);
});
