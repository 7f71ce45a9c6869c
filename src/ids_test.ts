import assert from "node:assert/strict";
import { UsageError } from "./errors.ts";
import { assertJobId, decodeIdTime, isValidJobId, JOB_ID_PATTERN, newId } from "./ids.ts";

const ULID = /^[0-9A-HJKMNP-TV-Z]{26}$/;
let instances = 0;

/** A module instance with its own monotonic state, so tests can use any time. */
async function freshIds(): Promise<typeof import("./ids.ts")> {
  return await import(`./ids.ts?instance=${instances++}`);
}

Deno.test("newId returns a 26-character Crockford base32 ULID", () => {
  const id = newId(1_795_428_000_000);
  assert.match(id, ULID);
  assert.equal(id.length, 26);
  assert.ok(isValidJobId(id));
});

Deno.test("newId encodes now in the first 10 characters", async () => {
  const ids = await freshIds();
  // The ULID spec's example id 01ARYZ6S41TSV4RRFFQ69G5FAV has time 1469918176385.
  assert.equal(ids.newId(1_469_918_176_385).slice(0, 10), "01ARYZ6S41");
  assert.equal(ids.newId(2 ** 48 - 1).slice(0, 10), "7ZZZZZZZZZ");
  assert.equal((await freshIds()).newId(0).slice(0, 10), "0000000000");
});

Deno.test("newId floors fractional times", async () => {
  const ids = await freshIds();
  assert.equal(ids.decodeIdTime(ids.newId(1_000.9)), 1_000);
});

Deno.test("newId is strictly increasing within the same millisecond", async () => {
  const ids = await freshIds();
  let previous = ids.newId(5_000);
  for (let i = 0; i < 1_000; i++) {
    const next = ids.newId(5_000);
    assert.ok(next > previous, `${next} should sort after ${previous}`);
    assert.equal(next.slice(0, 10), previous.slice(0, 10));
    previous = next;
  }
});

Deno.test("newId increments the previous random part by one within a millisecond", async () => {
  const ids = await freshIds();
  const first = ids.newId(7_000);
  const second = ids.newId(7_000);
  const alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
  const value = (id: string) =>
    [...id.slice(10)].reduce((n, c) => n * 32n + BigInt(alphabet.indexOf(c)), 0n);
  assert.equal(value(second) - value(first), 1n);
});

Deno.test("newId stays increasing when the clock steps back", async () => {
  const ids = await freshIds();
  const later = ids.newId(10_000);
  const earlier = ids.newId(9_000);
  assert.ok(earlier > later);
  assert.equal(ids.decodeIdTime(earlier), 10_000);
});

Deno.test("newId sorts by time across milliseconds", async () => {
  const ids = await freshIds();
  const made = [1, 2, 31, 32, 1_000, 1_000_000, 2 ** 40].map((t) => ids.newId(t));
  assert.deepEqual([...made].sort(), made);
});

Deno.test("newId gives distinct ids across many calls", () => {
  const seen = new Set<string>();
  for (let i = 0; i < 5_000; i++) seen.add(newId(1_795_428_000_000 + (i % 3)));
  assert.equal(seen.size, 5_000);
});

Deno.test("newId rejects times outside 0 to 2^48-1", async () => {
  const ids = await freshIds();
  for (const bad of [-1, 2 ** 48, NaN, Infinity]) {
    assert.throws(() => ids.newId(bad), UsageError, `expected ${bad} to fail`);
  }
});

Deno.test("decodeIdTime reads back the time and rejects non-ULIDs", () => {
  assert.equal(decodeIdTime("01ARYZ6S41TSV4RRFFQ69G5FAV"), 1_469_918_176_385);
  assert.equal(decodeIdTime("01aryz6s41tsv4rrffq69g5fav"), 1_469_918_176_385);
  for (const bad of ["", "job-1", "01ARYZ6S41TSV4RRFFQ69G5FAU0", "01ARYZ6S41TSV4RRFFQ69G5FAI"]) {
    assert.throws(() => decodeIdTime(bad), UsageError);
  }
});

Deno.test("isValidJobId accepts 1-128 characters of A-Z a-z 0-9 . _ : -", () => {
  for (const good of ["a", "job-1", "backup:2026-11-23", "A.b_c:d-e", "x".repeat(128)]) {
    assert.ok(isValidJobId(good), good);
    assert.ok(JOB_ID_PATTERN.test(good), good);
  }
  for (const dotted of ["...", ".a", "a.", "..a", "a..", ".-."]) assert.ok(isValidJobId(dotted));
});

Deno.test("isValidJobId rejects empty, too long and other characters", () => {
  for (const bad of ["", "x".repeat(129), "a b", "a/b", "é", "a\n", "job#1", "a\0"]) {
    assert.equal(isValidJobId(bad), false, JSON.stringify(bad));
  }
  assert.equal(isValidJobId(42 as unknown as string), false);
});

Deno.test("assertJobId returns a valid id unchanged", () => {
  assert.equal(assertJobId("job-1"), "job-1");
});

Deno.test("assertJobId names the bad id in a one-line UsageError", () => {
  assert.throws(() => assertJobId("a b"), {
    name: "UsageError",
    message: 'job id must be 1-128 characters of A-Z a-z 0-9 . _ : -, got "a b"',
  });
  assert.throws(() => assertJobId("a\nb"), { message: /got "a\\nb"$/ });
  assert.throws(() => assertJobId(42), { message: /got 42$/ });
  assert.throws(() => assertJobId(null), { message: /got null$/ });
  assert.throws(() => assertJobId(""), { message: /got ""$/ });
});

Deno.test("isValidJobId and assertJobId refuse . and .., which a URL path cannot name", () => {
  for (const dots of [".", ".."]) {
    assert.equal(isValidJobId(dots), false, dots);
    assert.equal(JOB_ID_PATTERN.test(dots), false, dots);
    assert.throws(() => assertJobId(dots), {
      name: "UsageError",
      message: `job id must not be "." or "..", which a URL path cannot name, got "${dots}"`,
    });
  }
});

Deno.test("assertJobId truncates long values in its message", () => {
  try {
    assertJobId("y".repeat(500));
    assert.fail("expected a UsageError");
  } catch (error) {
    assert.ok(error instanceof UsageError);
    assert.ok(error.message.length < 150, error.message);
    assert.match(error.message, /got "y+…"$/);
  }
});
