import { deepStrictEqual as assertEquals, match, rejects, strictEqual } from "node:assert/strict";
import {
  checkInvariants,
  enqueueAndClaim,
  rawAttempt,
  registerWorker,
  report,
  SETTINGS,
  spec,
  T0,
  tempStore,
} from "../../tests/factory.ts";
import { OperationError } from "../errors.ts";
import { Logger } from "../log.ts";
import { Db, type Tx } from "../store/db.ts";
import type { Store } from "../store/open.ts";
import { getJob, recoverLost } from "../store/mod.ts";
import { writeResult } from "./result_writer.ts";

/** A real database whose writes fail as on a full disk until `free()`. */
class FullDisk extends Db {
  #full = true;
  /** Writes that were refused. */
  refused = 0;
  /** Space again: writes work. */
  free(): void {
    this.#full = false;
  }
  override commit(tx: Tx): Promise<string | null> {
    if (!this.#full) return super.commit(tx);
    this.refused++;
    return Promise.reject(new OperationError("database error: database or disk is full"));
  }
}

function onFullDisk(store: Store): { store: Store; disk: FullDisk } {
  const disk = new FullDisk(store.db.kv, { strict: true });
  return { store: { ...store, db: disk }, disk };
}

function capture(): { log: Logger; lines: string[] } {
  const lines: string[] = [];
  return { log: new Logger({ write: (l) => lines.push(l) }), lines };
}

const options = (log: Logger, extra: { stopping?: AbortSignal; force?: AbortSignal } = {}) => ({
  now: T0 + 5,
  settings: SETTINGS,
  log,
  stopping: extra.stopping ?? new AbortController().signal,
  force: extra.force,
  graceMs: 30_000,
  maxDelayMs: 20,
});

Deno.test("a result the database refuses is held and written once it takes writes again", async () => {
  await using base = await tempStore();
  const claimed = await enqueueAndClaim(base, spec({ id: "a" }), { workerId: "w1" });
  const { store, disk } = onFullDisk(base);
  const { log, lines } = capture();
  const writing = writeResult(store, claimed, report(), options(log));
  while (disk.refused < 3) await new Promise((r) => setTimeout(r, 5));
  disk.free();
  const { job, next } = await writing;
  assertEquals([job?.state, next], ["completed", null]);
  assertEquals((await rawAttempt(base, "a", 1)).value?.outcome, "succeeded");
  match(lines[0]!, /warn job\.result_unwritten job=a attempt=1 outcome=succeeded .*disk is full/);
  match(lines.at(-1)!, /info job\.result_written job=a attempt=1/);
  strictEqual(lines.length, 2, "one line when it starts holding, one when written");
  await checkInvariants(base);
});

Deno.test("when recovery took the attempt while the result was held, the attempt records the real cause", async () => {
  await using base = await tempStore();
  await registerWorker(base, { id: "w1", heartbeat_at: T0 });
  const claimed = await enqueueAndClaim(base, spec({ id: "a" }), { workerId: "w1" });
  const { store, disk } = onFullDisk(base);
  const { log, lines } = capture();
  const writing = writeResult(store, claimed, report(), options(log));
  while (disk.refused < 1) await new Promise((r) => setTimeout(r, 5));
  // Space again, and another worker's recovery gets in first: the heartbeats had failed too.
  await recoverLost(base, {
    now: T0 + 20_000,
    leaseMs: 10_000,
    settings: SETTINGS,
    host: "other-host",
    pidAlive: () => true,
  });
  disk.free();
  const { job } = await writing;
  strictEqual(job, null, "the late result is refused");
  const attempt = (await rawAttempt(base, "a", 1)).value!;
  assertEquals(attempt.outcome, "worker_lost");
  strictEqual(
    attempt.error,
    "result could not be written: database or disk is full (the command succeeded, exit 0); then worker lost: no heartbeat for 20s",
  );
  strictEqual((await getJob(base, "a"))?.last_error, attempt.error);
  match(lines.at(-1)!, /warn job\.result_noted job=a attempt=1/);
  await checkInvariants(base);
});

Deno.test("a forced stop gives up a held result: it logs job.result_lost and fails, leaving the job to recovery", async () => {
  await using base = await tempStore();
  const claimed = await enqueueAndClaim(base, spec({ id: "a" }), { workerId: "w1" });
  const { store, disk } = onFullDisk(base);
  const { log, lines } = capture();
  const force = new AbortController();
  const writing = writeResult(store, claimed, report(), options(log, { force: force.signal }));
  while (disk.refused < 1) await new Promise((r) => setTimeout(r, 5));
  force.abort();
  await rejects(writing, /disk is full/);
  match(lines.at(-1)!, /error job\.result_lost job=a attempt=1 outcome=succeeded .*disk is full/);
  strictEqual((await getJob(base, "a"))?.state, "processing");
});

Deno.test("other failures are not held: a timed out remote write may have landed, and a programming error will not pass", async () => {
  await using base = await tempStore();
  const claimed = await enqueueAndClaim(base, spec({ id: "a" }), { workerId: "w1" });
  for (
    const failure of [
      new OperationError(
        "database https://kv.example did not answer within 10s (is the server up?)",
      ),
      new RangeError("atomic operation too large: 11 checks, 3 mutations"),
    ]
  ) {
    const db = new (class extends Db {
      override commit(): Promise<string | null> {
        return Promise.reject(failure);
      }
    })(base.db.kv);
    const { log, lines } = capture();
    await rejects(writeResult({ ...base, db }, claimed, report(), options(log)), failure);
    assertEquals(lines, []);
  }
});
