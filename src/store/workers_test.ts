import { deepStrictEqual as assertEquals, strictEqual } from "node:assert/strict";
import { enqueueAndClaim, spec, T0, tempStore, workerRecord } from "../../tests/factory.ts";
import {
  listWorkers,
  putWorker,
  readStopRequest,
  readWorkerInbox,
  removeWorker,
  requestStop,
} from "./workers.ts";

Deno.test("putWorker registers a worker and a second put refreshes its heartbeat", async () => {
  await using store = await tempStore();
  const w = workerRecord({ id: "w1" });
  await putWorker(store, w);
  await putWorker(store, workerRecord({ id: "w0", state: "idle" }));
  await putWorker(store, { ...w, heartbeat_at: T0 + 1000, job: "a" });
  assertEquals(
    (await listWorkers(store)).map((x) => [x.id, x.heartbeat_at, x.job]),
    [["w0", T0, null], ["w1", T0 + 1000, "a"]],
  );
});

Deno.test("a stop request is readable by its worker and removed with the worker's entry", async () => {
  await using store = await tempStore();
  await putWorker(store, workerRecord({ id: "w1" }));
  strictEqual(await readStopRequest(store, "w1"), null);
  await requestStop(store, "w1", { force: true, at: T0 });
  assertEquals(await readStopRequest(store, "w1"), { force: true, at: T0 });
  await removeWorker(store, "w1");
  assertEquals(await listWorkers(store), []);
  strictEqual(await readStopRequest(store, "w1"), null);
});

Deno.test("readWorkerInbox reads the stop request and the running jobs' records together", async () => {
  await using store = await tempStore();
  await enqueueAndClaim(store, spec({ id: "a" }), { workerId: "w1" });
  const idle = await readWorkerInbox(store, "w1", []);
  assertEquals([idle.stop, idle.jobs], [null, []]);
  await requestStop(store, "w1", { force: false, at: T0 });
  const busy = await readWorkerInbox(store, "w1", ["a"]);
  assertEquals([busy.stop, busy.jobs[0]?.state, busy.jobs[0]?.worker], [
    { force: false, at: T0 },
    "processing",
    "w1",
  ]);
  assertEquals((await readWorkerInbox(store, "w1", ["gone"])).jobs, [null]);
});

Deno.test("readWorkerInbox reads the jobs of a worker with more slots than one read takes, in order", async () => {
  await using store = await tempStore();
  const ids = Array.from({ length: 23 }, (_, i) => `j${i}`);
  for (const id of ids) await enqueueAndClaim(store, spec({ id }), { workerId: "w1" });
  const { jobs } = await readWorkerInbox(store, "w1", [...ids, "gone"]);
  assertEquals(jobs.map((j) => j?.id ?? null), [...ids, null]);
});
