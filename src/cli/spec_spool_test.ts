import { deepStrictEqual as assertEquals, strictEqual } from "node:assert/strict";
import type { JobSpec } from "../spec.ts";
import { SpecSpool } from "./spec_spool.ts";

const specs: JobSpec[] = Array.from({ length: 5000 }, (_, i) => ({
  command: `echo ${i} ${"x".repeat(i % 50)} "quoted" \n é`,
  priority: i % 7,
  timeout: i % 3 === 0 ? null : 1000 * i,
  ...(i % 4 === 0 ? { id: `job-${i}` } : {}),
  ...(i % 5 === 0 ? { run_at: 1_795_428_000_000 + i, max_retries: i % 10 } : {}),
}));

async function fill(spool: SpecSpool): Promise<void> {
  for (const [i, spec] of specs.entries()) {
    spool.add(spec);
    if (i % 100 === 99) await spool.settle();
  }
  await spool.settle();
}

async function readAll(spool: SpecSpool): Promise<JobSpec[]> {
  const out: JobSpec[] = [];
  for await (const group of spool.read()) out.push(...group);
  return out;
}

Deno.test("SpecSpool keeps specs under its budget in memory and gives them back in order", async () => {
  await using spool = new SpecSpool();
  await fill(spool);
  assertEquals([spool.count, spool.spilled], [5000, false]);
  assertEquals(await readAll(spool), specs);
});

Deno.test("SpecSpool past its budget moves specs to a temp file, already unlinked, and reads them back equal", async () => {
  const dir = await Deno.makeTempDir({ prefix: "queuectl-spool-test-" });
  try {
    await using spool = new SpecSpool({ maxMemoryBytes: 10_000, dir });
    await fill(spool);
    assertEquals([spool.count, spool.spilled], [5000, true]);
    assertEquals([...Deno.readDirSync(dir)], [], "the file is unlinked while in use");
    const back = await readAll(spool);
    strictEqual(back.length, 5000);
    assertEquals(back, specs);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("SpecSpool with nothing added reads nothing", async () => {
  await using spool = new SpecSpool({ maxMemoryBytes: 0 });
  await spool.settle();
  assertEquals(await readAll(spool), []);
});
