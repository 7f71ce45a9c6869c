import { deepStrictEqual as assertEquals, ok } from "node:assert/strict";
import { tempStore } from "../../tests/factory.ts";
import { LimitError, NotFoundError, UsageError } from "../errors.ts";
import { REMOTE_LIMITS, Tx } from "../store/db.ts";
import { exitFor } from "./exit.ts";

/** What the store throws for an atomic operation with one check too many (strict mode). */
async function tooManyChecks(): Promise<unknown> {
  await using store = await tempStore({ strict: true });
  const tx = new Tx();
  for (let i = 0; i <= REMOTE_LIMITS.checks; i++) tx.check(["job", `j${i}`], null);
  const thrown = await store.db.commit(tx.set(["config", "x"], 1)).then(() => null, (e) => e);
  ok(thrown instanceof LimitError, `expected a LimitError, got ${thrown}`);
  return thrown;
}

Deno.test("a storage limit the store hits exits 1 with its one line, not 2 as bad usage would", async () => {
  const err = await tooManyChecks();
  assertEquals(exitFor(err), {
    code: 1,
    message: "queuectl: database limit: atomic operation too large: 11 checks (at most 10), " +
      "1 mutations (at most 1000)",
  });
  const deno = new LimitError("database limit: Value too large (max 65536 bytes)\n    at op");
  assertEquals(exitFor(deno), {
    code: 1,
    message: "queuectl: database limit: Value too large (max 65536 bytes)",
  });
});

Deno.test("only a UsageError is bad usage: a RangeError from a bug exits 1 as unexpected", () => {
  assertEquals(exitFor(new UsageError("priority must be an integer")), {
    code: 2,
    message: "queuectl: priority must be an integer",
  });
  assertEquals(exitFor(new RangeError("Invalid time value")), {
    code: 1,
    message: "queuectl: unexpected error: Invalid time value",
  });
  assertEquals(exitFor(new NotFoundError('job "a1" not found')), {
    code: 1,
    message: 'queuectl: job "a1" not found',
  });
});
