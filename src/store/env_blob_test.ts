import { deepStrictEqual as assertEquals, strictEqual } from "node:assert/strict";
import { spec, T0, tempStore } from "../../tests/factory.ts";
import { cancelJob } from "./cancel.ts";
import { deleteJob } from "./delete.ts";
import { enqueueJobs, enqueueMany } from "./enqueue.ts";
import { envBlob, readEnv, sweepEnvBlobs } from "./env_blob.ts";
import { keys } from "./keys.ts";
import type { Store } from "./open.ts";

async function envKeys(store: Store): Promise<Deno.KvKey[]> {
  const entries = await store.db.list({ prefix: keys.envs() }, { limit: 1000 });
  return entries.map((e) => e.key);
}

async function refs(store: Store, envId: string): Promise<bigint | undefined> {
  return (await store.db.get<Deno.KvU64>(keys.envRefs(envId))).value?.value;
}

Deno.test("a bulk enqueue of 1,000 jobs with one 4 KB environment stores it once, counted 1,000 times", async () => {
  await using store = await tempStore();
  const env = { BIG: "x".repeat(4096), HOME: "/home/me" };
  const specs = Array.from({ length: 1000 }, () => spec());
  await enqueueMany(store, specs, { now: T0, maxRetries: 3, env });
  const { id } = await envBlob(env);
  assertEquals(await envKeys(store), [keys.env(id, 0)]);
  strictEqual(await refs(store, id), 1000n);
  assertEquals(await readEnv(store, id), env);
});

Deno.test("a spec's own env is laid over the call's, and equal environments share one copy", async () => {
  await using store = await tempStore();
  const jobs = await enqueueJobs(store, [spec({ env: { B: "2" } }), spec({ env: { B: "2" } })], {
    now: T0,
    maxRetries: 3,
    env: { A: "1" },
  });
  strictEqual(jobs[0]!.env, jobs[1]!.env);
  assertEquals(await readEnv(store, jobs[0]!.env!), { A: "1", B: "2" });
  const [plain] = await enqueueJobs(store, [spec()], { now: T0, maxRetries: 3 });
  strictEqual(plain!.env, null);
});

Deno.test("an environment above one value's limit is stored in chunks and read back whole", async () => {
  await using store = await tempStore();
  const env = { A: "a".repeat(70_000), B: "b".repeat(30_000) };
  const [job] = await enqueueJobs(store, [spec()], { now: T0, maxRetries: 3, env });
  strictEqual((await envKeys(store)).length, 2);
  assertEquals(await readEnv(store, job!.env!), env);
});

Deno.test("the sweep removes an environment once its last job is deleted, and not before", async () => {
  await using store = await tempStore();
  const jobs = await enqueueJobs(store, [spec(), spec()], {
    now: T0,
    maxRetries: 3,
    env: { A: "1" },
  });
  const envId = jobs[0]!.env!;
  for (const job of jobs) await cancelJob(store, job.id, { now: T0 });
  await deleteJob(store, jobs[0]!.id);
  strictEqual(await sweepEnvBlobs(store), 0);
  strictEqual(await refs(store, envId), 1n);
  await deleteJob(store, jobs[1]!.id);
  strictEqual(await sweepEnvBlobs(store), 1);
  assertEquals(await envKeys(store), []);
  strictEqual(await readEnv(store, envId), null);
});
