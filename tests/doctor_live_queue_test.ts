/**
 * `checkStore` and `repairStore` on a live queue: jobs that change state while doctor reads are
 * neither reported nor "repaired", a really broken entry still is, and a queue that never holds
 * still makes repair give up with a clear error instead of writing from a moving view.
 *
 * @module
 */
import { deepStrictEqual, equal, ok, rejects } from "node:assert/strict";
import { claimNext, type Store } from "../src/store/mod.ts";
import { Db } from "../src/store/db.ts";
import { checkStore } from "../src/store/doctor.ts";
import { repairStore } from "../src/store/doctor_repair.ts";
import { keys } from "../src/store/keys.ts";
import { OperationError } from "../src/errors.ts";
import {
  checkInvariants,
  enqueue,
  registerWorker,
  reopen,
  spec,
  type TempStore,
  tempStore,
} from "./factory.ts";

/**
 * Makes `store` claim one more job (through a second handle, as another worker would) each
 * time doctor starts listing the ready index: right between its read of the job records and
 * its read of the indexes, so every snapshot it takes mixes a job's old record with its new
 * entries, and the counters change under it. Returns how many claims were made.
 */
async function churnDuringReads(
  store: TempStore,
): Promise<{ claims: () => number; stop: () => void }> {
  const other = await reopen(store);
  let claims = 0;
  let on = true;
  const raw = store.db.kv;
  const churning = new Proxy(raw, {
    get(target, prop) {
      if (prop === "list") {
        return async function* (selector: Deno.KvListSelector, options?: Deno.KvListOptions) {
          if (on && "prefix" in selector && selector.prefix[0] === keys.readyAll[0]) {
            const now = Date.now();
            if (await claimNext(other, { workerId: "w1", now })) claims++;
          }
          yield* target.list(selector, options);
        };
      }
      const value = Reflect.get(target, prop, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
  (store as Store).db = new Db(churning, { strict: true });
  const close = store[Symbol.asyncDispose].bind(store);
  store[Symbol.asyncDispose] = async () => {
    other.close();
    await close();
  };
  return { claims: () => claims, stop: () => on = false };
}

Deno.test("checkStore does not report jobs that change state while it reads them", async () => {
  await using store = await tempStore();
  await enqueue(store, Array.from({ length: 20 }, (_, i) => spec({ id: `j${i}` })));
  await registerWorker(store, { id: "w1", heartbeat_at: Date.now() });
  const churn = await churnDuringReads(store);
  const { violations, jobs } = await checkStore(store, { now: Date.now(), leaseMs: 60_000 });
  deepStrictEqual(violations, []);
  equal(jobs, 20);
  ok(churn.claims() >= 2, `jobs moved during the reads (${churn.claims()} claims)`);
});

Deno.test("checkStore still reports a really missing ready entry while other jobs change state", async () => {
  await using store = await tempStore();
  const [broken] = await enqueue(store, spec({ id: "broken", priority: -5 }));
  await enqueue(store, Array.from({ length: 20 }, (_, i) => spec({ id: `j${i}` })));
  await store.db.kv.delete(keys.ready("default", broken!.priority, broken!.seq, "broken"));
  await registerWorker(store, { id: "w1", heartbeat_at: Date.now() });
  const churn = await churnDuringReads(store);
  const { violations } = await checkStore(store, { now: Date.now(), leaseMs: 60_000 });
  deepStrictEqual(violations.map((v) => [v.kind, v.job]), [["missing_index", "broken"]]);
  ok(churn.claims() >= 2, `jobs moved during the reads (${churn.claims()} claims)`);
});

Deno.test("repairStore never rewrites indexes or counters from a view that jobs moved under: the store stays consistent", async () => {
  await using store = await tempStore();
  const [broken] = await enqueue(store, spec({ id: "broken", priority: -5 }));
  // Fewer jobs than doctor's reads, so the queue falls quiet before repair gives up.
  await enqueue(store, Array.from({ length: 8 }, (_, i) => spec({ id: `j${i}` })));
  await store.db.kv.delete(keys.ready("default", broken!.priority, broken!.seq, "broken"));
  const churn = await churnDuringReads(store);
  const changed = await repairStore(store);
  churn.stop();
  await checkInvariants(store);
  equal(changed, 1, "only the missing ready entry is written");
  ok(churn.claims() >= 2, `jobs moved during the reads (${churn.claims()} claims)`);
});

Deno.test("repairStore on a queue that never holds still gives up with a clear error and writes nothing", async () => {
  await using store = await tempStore();
  const [broken] = await enqueue(store, spec({ id: "broken", priority: -5 }));
  await enqueue(store, Array.from({ length: 200 }, (_, i) => spec({ id: `j${i}` })));
  await store.db.kv.delete(keys.ready("default", broken!.priority, broken!.seq, "broken"));
  const churn = await churnDuringReads(store);
  await rejects(
    repairStore(store),
    (err) => err instanceof OperationError && /kept changing.*stop the workers/.test(err.message),
  );
  ok(churn.claims() >= 10);
  equal(
    (await store.db.kv.get(keys.ready("default", broken!.priority, broken!.seq, "broken"))).value,
    null,
  );
});
