import { deepStrictEqual as assertEquals, ok, strictEqual } from "node:assert/strict";
import {
  checkInvariants,
  counters,
  countsOf,
  enqueue,
  spec,
  tempStore,
} from "../../tests/factory.ts";
import { enqueueMany } from "./enqueue.ts";

const HAS_SQLITE3 = (() => {
  try {
    return new Deno.Command("sqlite3", { args: ["-version"], stdout: "null", stderr: "null" })
      .outputSync().success;
  } catch {
    return false;
  }
})();

Deno.test({
  name:
    "writes blocked by another connection's exclusive lock past SQLite's busy timeout, a bulk enqueue's staged commits among them, are retried until they succeed",
  ignore: !HAS_SQLITE3,
  async fn() {
    await using store = await tempStore({ strict: false, spy: true });
    await enqueue(store, spec({ id: "before" }));
    // Another connection takes the write lock and holds it longer than Deno KV's 5 s busy wait.
    const holder = new Deno.Command("sqlite3", {
      args: [store.path],
      stdin: "piped",
      stdout: "piped",
      stderr: "null",
    }).spawn();
    const stdin = holder.stdin.getWriter();
    await stdin.write(new TextEncoder().encode("BEGIN EXCLUSIVE;\nSELECT 'held';\n"));
    const reader = holder.stdout.getReader();
    let seen = "";
    while (!seen.includes("held")) seen += new TextDecoder().decode((await reader.read()).value);
    const commitsBefore = store.stats.commits;
    const started = performance.now();
    const enqueued = enqueue(store, spec({ id: "blocked" }));
    // A bulk enqueue keeps two staged commits in flight: both meet the lock and are rebuilt.
    const bulk = enqueueMany(store, Array.from({ length: 2_000 }, () => spec()), {
      now: Date.now(),
      maxRetries: 3,
    });
    await new Promise((r) => setTimeout(r, 5_600));
    await stdin.write(new TextEncoder().encode("COMMIT;\n"));
    await stdin.close();
    reader.releaseLock();
    await holder.stdout.cancel();
    await holder.status;
    const [job] = await enqueued;
    strictEqual(job?.id, "blocked");
    strictEqual(await bulk, 2_000);
    ok(performance.now() - started >= 5_000, "the write really waited for the lock");
    ok(store.stats.commits - commitsBefore >= 2, "the locked commit was retried");
    assertEquals(await counters(store), countsOf({ pending: 2_002 }));
    await checkInvariants(store);
  },
});
